/**
 * @module models
 * `@krain/models`: the one model IR every package shares, ONNX import, plaintext predictions,
 * training and the reference tasks. A browser bundle gets `browser.ts` instead (no data-set files,
 * no `node:fs`), through the `browser` condition of this package's exports.
 */
export type { Activation, DenseLayer, Head, LabelledRows, LinearModel, MlpModel, Model, ModelShape, NetworkLayer, NetworkModel, Standardization } from './types.js'
export { ACTIVATIONS } from './types.js'
export { assertModel, inputsOf, MAX_LAYERS, MAX_LAYER_WIDTH, modelFingerprint, modelShape, outputsOf, toNetwork } from './network.js'
export { accuracy, activate, argmax, denseForward, predictLabel, predictProba, predictScores, softmax, standardizeRow } from './predict.js'
export { trainLogistic, trainMlp, sgdTrain, seededRandom } from './train.js'
export type { SgdTrainParameters } from './train.js'
export type { TrainLogisticParameters, TrainMlpParameters } from './train.js'
export { breastCancerTask, digitsTask } from './tasks.js'
export type { BreastCancerTask, DigitsTask } from './tasks.js'
export { isOnnxError, OnnxInvalidError, OnnxUnsupportedError, OnnxUnsupportedOperatorError } from './errors.js'
export type { ModelsErrorCode, OnnxErrorParameters, OnnxUnsupportedOperatorErrorParameters } from './errors.js'
export { importOnnx, importOnnxFile, MAX_ONNX_BYTES } from './onnx/import-onnx.js'
export type { ImportOnnxOptions, ImportOnnxReturnType, OnnxImportReport } from './onnx/import-onnx.js'
export { MAX_ONNX_ELEMENTS } from './onnx/decode.js'
export { ONNX_ML_OPERATORS, ONNX_ML_OPSET_RANGE, ONNX_OPERATORS, ONNX_OPSET_RANGE, SUPPORTED_OPERATORS } from './onnx/operators.js'
export { calibrateRanges } from './calibrate.js'
export type { CalibrateRangesParameters, CalibrateRangesReturnType, ValueRange } from './calibrate.js'
