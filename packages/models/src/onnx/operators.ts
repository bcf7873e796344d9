/**
 * @module onnx/operators
 * The ONNX operators Krain imports, by domain, and the opset range it reads. The importer checks
 * every node against this list before it reads a single tensor.
 */

/** Operators of the default domain (`ai.onnx`). */
export const ONNX_OPERATORS = [
  'Add', 'ArgMax', 'BatchNormalization', 'Cast', 'Concat', 'Constant', 'Div', 'Dropout', 'Flatten', 'Gather', 'Gemm', 'Identity',
  'MatMul', 'Mul', 'Pow', 'Relu', 'Reshape', 'Shape', 'Sigmoid', 'Softmax', 'Sub', 'Tanh', 'Unsqueeze',
] as const

/** Operators of the `ai.onnx.ml` domain (what skl2onnx emits for linear models and MLPs). */
export const ONNX_ML_OPERATORS = ['ArrayFeatureExtractor', 'Cast', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'Scaler', 'ZipMap'] as const

/** Every supported operator, qualified by domain for the ML ones (for error messages). */
export const SUPPORTED_OPERATORS: readonly string[] = [...ONNX_OPERATORS, ...ONNX_ML_OPERATORS.filter((o) => o !== 'Cast').map((o) => `ai.onnx.ml.${o}`)]

/** Opsets of the default domain Krain reads: 9 to 25. */
export const ONNX_OPSET_RANGE = [9, 25] as const
/** Opsets of `ai.onnx.ml` Krain reads. */
export const ONNX_ML_OPSET_RANGE = [1, 5] as const

/** True when `op` of `domain` is imported. */
export function isSupportedOperator(domain: string, op: string): boolean {
  if (domain === '') return (ONNX_OPERATORS as readonly string[]).includes(op)
  if (domain === 'ai.onnx.ml') return (ONNX_ML_OPERATORS as readonly string[]).includes(op) && op !== 'Cast'
  return false
}
