/**
 * @module errors
 * Errors of `@krain/models`. Every one is a `KrainError` with a stable `code` and no transport
 * concern (the gateway maps codes to HTTP statuses).
 */
import { KrainError } from '@krain/core'

/** Stable codes of the errors of `@krain/models`. */
export type ModelsErrorCode = 'MODEL_ONNX_INVALID' | 'MODEL_ONNX_UNSUPPORTED'

/** Parameters of {@link OnnxInvalidError} and {@link OnnxUnsupportedError}. */
export type OnnxErrorParameters = { shortMessage: string; details?: string; cause?: unknown }

/**
 * The bytes are not a well-formed ONNX model Krain can read: not a protobuf `ModelProto`,
 * truncated, wrong field types, a cycle, an undefined value, a tensor of the wrong element type
 * or size, external data, or sizes over Krain's bounds. Code `MODEL_ONNX_INVALID`.
 * @example
 * ```ts
 * throw new OnnxInvalidError({ shortMessage: 'node "gemm_1" reads "w", which is not defined' })
 * ```
 */
export class OnnxInvalidError extends KrainError {
  override name = 'OnnxInvalidError'
  constructor({ shortMessage, details, cause }: OnnxErrorParameters) {
    super({ code: 'MODEL_ONNX_INVALID', shortMessage, details, cause })
  }
}

/**
 * A well-formed ONNX model that uses something outside the supported subset (an operator, an
 * attribute value, an opset, a graph shape such as a residual connection). Code
 * `MODEL_ONNX_UNSUPPORTED`.
 */
export class OnnxUnsupportedError extends KrainError {
  override name = 'OnnxUnsupportedError'
  constructor({ shortMessage, details, cause }: OnnxErrorParameters) {
    super({ code: 'MODEL_ONNX_UNSUPPORTED', shortMessage, details, cause })
  }
}

/** Parameters of {@link OnnxUnsupportedOperatorError}. */
export type OnnxUnsupportedOperatorErrorParameters = { node: string; op: string; domain: string; supported: readonly string[] }

/**
 * A node whose operator Krain does not import; raised before any tensor is read. Names the node,
 * its operator and the supported list. Code `MODEL_ONNX_UNSUPPORTED`.
 */
export class OnnxUnsupportedOperatorError extends OnnxUnsupportedError {
  override name = 'OnnxUnsupportedOperatorError'
  readonly node: string
  readonly op: string
  readonly supported: readonly string[]
  constructor({ node, op, domain, supported }: OnnxUnsupportedOperatorErrorParameters) {
    const qualified = domain && domain !== 'ai.onnx' ? `${domain}.${op}` : op
    super({ shortMessage: `node "${node}" uses operator ${qualified}, which Krain does not import`, details: `supported operators: ${supported.join(', ')}` })
    this.node = node
    this.op = qualified
    this.supported = supported
  }
}

/** True for any error {@link importOnnx} raises for bad or unsupported bytes (codes `MODEL_ONNX_*`). */
export function isOnnxError(e: unknown): e is OnnxInvalidError | OnnxUnsupportedError {
  return e instanceof OnnxInvalidError || e instanceof OnnxUnsupportedError
}
