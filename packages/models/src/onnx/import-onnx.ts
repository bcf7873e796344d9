/**
 * @module onnx/import-onnx
 * ONNX → Krain model IR. Reads a `ModelProto` (as written by `torch.onnx.export` or skl2onnx),
 * checks every operator against {@link SUPPORTED_OPERATORS} before reading any tensor, checks the
 * graph (each value defined once, every input defined, no cycle), then builds the canonical
 * {@link NetworkModel} (see `onnx/build.ts` for how operators map onto layers).
 *
 * Spec: ONNX IR and operator definitions, https://onnx.ai/onnx/ (ai.onnx opsets 9–25,
 * ai.onnx.ml opsets 1–5). The reference runtime the imports are tested against is onnxruntime.
 */
import { readFile } from 'node:fs/promises'
import { aBytes, aString, anObject, anIntInRange } from '@krain/core'
import { assertModel, modelShape } from '../network.js'
import type { Activation, Head, NetworkModel } from '../types.js'
import { OnnxInvalidError, OnnxUnsupportedError, OnnxUnsupportedOperatorError } from '../errors.js'
import { buildNetwork } from './build.js'
import { decodeOnnx, type Node } from './decode.js'
import { isSupportedOperator, ONNX_ML_OPSET_RANGE, ONNX_OPSET_RANGE, SUPPORTED_OPERATORS } from './operators.js'

/** Largest ONNX file {@link importOnnx} reads by default (64 MiB). */
export const MAX_ONNX_BYTES = 64 << 20

/** Options of {@link importOnnx}. */
export type ImportOnnxOptions = {
  /**
   * The head when the graph does not decide it (a graph ending in raw scores with no Softmax,
   * ArgMax or final Sigmoid): `'argmax'` for a classifier exported as logits. Default: `'argmax'`
   * when the graph also outputs an ArgMax label, else `'regression'`.
   */
  head?: Head
  /** Largest accepted input, in bytes (default {@link MAX_ONNX_BYTES}). */
  maxBytes?: number
}

/** What {@link importOnnx} read and how it mapped it. */
export type OnnxImportReport = {
  /** The default-domain opset, and the ai.onnx.ml opset if imported. */
  opset: number
  mlOpset: number | undefined
  irVersion: number
  /** `producer_name producer_version`, e.g. `pytorch 1.13.1` or `skl2onnx 1.16.0`. */
  producer: string
  /** The imported layers: widths and activation. */
  layers: { inputs: number; outputs: number; activation: Activation }[]
  head: Head
  standardized: boolean
  /** Number of weights and biases. */
  parameters: number
  /** Operators of the file, with their counts. */
  operators: Record<string, number>
  /** Nodes folded into neighbours (BatchNormalization, ...). */
  folded: string[]
  /** Output-only post-processing that maps onto the head or the labels (ZipMap, ArgMax, ...). */
  ignored: string[]
}

/** What {@link importOnnx} returns. */
export type ImportOnnxReturnType = { model: NetworkModel; report: OnnxImportReport }

function invalid(shortMessage: string): never {
  throw new OnnxInvalidError({ shortMessage })
}

/** Every node's operator is supported (else the typed error naming the first that is not). */
function checkOperators(nodes: Node[]): void {
  for (const n of nodes) {
    if (!isSupportedOperator(n.domain, n.opType)) throw new OnnxUnsupportedOperatorError({ node: n.name, op: n.opType, domain: n.domain, supported: SUPPORTED_OPERATORS })
  }
}

/** Nodes in an order where every input is computed first (Kahn); throws on cycles and undefined values. */
function topologicalOrder(nodes: Node[], defined: Set<string>): Node[] {
  const producer = new Map<string, number>()
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue
      if (producer.has(o) || defined.has(o)) invalid(`value "${o}" is produced twice (node "${n.name}")`)
      producer.set(o, i)
    }
  })
  const indegree = new Array<number>(nodes.length).fill(0)
  const users: number[][] = nodes.map(() => [])
  nodes.forEach((n, i) => {
    for (const x of n.inputs) {
      if (x === '') continue
      const p = producer.get(x)
      if (p === undefined) {
        if (!defined.has(x)) invalid(`node "${n.name}" (${n.opType}) reads "${x}", which is not defined (a missing initializer?)`)
        continue
      }
      indegree[i]!++
      users[p]!.push(i)
    }
  })
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []))
  const order: Node[] = []
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!
    order.push(nodes[i]!)
    for (const u of users[i]!) if (--indegree[u]! === 0) queue.push(u)
  }
  if (order.length !== nodes.length) invalid(`the graph has a cycle through node "${nodes[indegree.findIndex((d) => d > 0)]!.name}"`)
  return order
}

/**
 * Import an ONNX model (bytes of a `ModelProto`) into Krain's canonical model IR.
 *
 * Supported: Gemm (alpha, beta, transB), MatMul + Add, Relu, Sigmoid, Tanh, Mul(x, x) and
 * Pow(x, 2) (square), Softmax / ArgMax at the output, Flatten and Reshape of constant shapes,
 * Identity, Dropout, Cast, Constant, BatchNormalization and Add/Sub/Mul/Div by constants (folded
 * into the neighbouring dense layer, or into `standardize` before the first one), and from
 * skl2onnx LinearClassifier, LinearRegressor, Scaler, Normalizer (L1 of probabilities), ZipMap,
 * ArrayFeatureExtractor (class labels). Opsets 9–25.
 *
 * @param bytes - the `.onnx` file's bytes
 * @param options - {@link ImportOnnxOptions}
 * @returns the model (`kind: 'network'`) and a report of what was read
 * @throws {OnnxUnsupportedOperatorError} naming the node, its operator and the supported list, before any tensor is read
 * @throws {OnnxUnsupportedError} for a supported operator used in an unsupported way (code `MODEL_ONNX_UNSUPPORTED`)
 * @throws {OnnxInvalidError} for malformed bytes, cycles, undefined values, bad tensors, sizes over the bounds (code `MODEL_ONNX_INVALID`)
 * @throws {TypeError} when `bytes` is not a Uint8Array
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import { importOnnx, predictProba } from '@krain/models'
 * const { model, report } = importOnnx(readFileSync('packages/models/fixtures/bc_logreg_sklearn_op13.onnx'))
 * console.log(report.layers, report.parameters)   // [{ inputs: 30, outputs: 1, activation: 'identity' }] 31
 * ```
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): ImportOnnxReturnType {
  aBytes(bytes, 'bytes')
  anObject(options, 'options')
  const maxBytes = options.maxBytes === undefined ? MAX_ONNX_BYTES : anIntInRange(options.maxBytes, 'options.maxBytes', 1, 1 << 30)
  if (options.head !== undefined && options.head !== 'sign' && options.head !== 'argmax' && options.head !== 'regression') throw new TypeError(`"options.head" expected one of sign, argmax, regression, got ${String(options.head)}`)
  if (bytes.length === 0) invalid('empty input: not an ONNX model')
  if (bytes.length > maxBytes) invalid(`the model is ${bytes.length} bytes, more than ${maxBytes}`)

  const decoded = decodeOnnx(bytes)
  checkOperators(decoded.nodes)
  const opset = decoded.opsets.get('')
  if (opset === undefined) invalid('the model imports no ai.onnx opset')
  if (opset! < ONNX_OPSET_RANGE[0] || opset! > ONNX_OPSET_RANGE[1]) throw new OnnxUnsupportedError({ shortMessage: `ai.onnx opset ${opset}; Krain imports opsets ${ONNX_OPSET_RANGE[0]} to ${ONNX_OPSET_RANGE[1]}` })
  const mlOpset = decoded.opsets.get('ai.onnx.ml')
  const usesMl = decoded.nodes.some((n) => n.domain === 'ai.onnx.ml')
  if (usesMl && mlOpset === undefined) invalid('the graph uses ai.onnx.ml operators but imports no ai.onnx.ml opset')
  if (usesMl && (mlOpset! < ONNX_ML_OPSET_RANGE[0] || mlOpset! > ONNX_ML_OPSET_RANGE[1])) throw new OnnxUnsupportedError({ shortMessage: `ai.onnx.ml opset ${mlOpset}; Krain imports ${ONNX_ML_OPSET_RANGE[0]} to ${ONNX_ML_OPSET_RANGE[1]}` })
  for (const n of decoded.nodes) for (const a of n.attributes.values()) if (a.hasGraph) throw new OnnxUnsupportedError({ shortMessage: `node "${n.name}" (${n.opType}) has a subgraph attribute "${a.name}"` })

  const defined = new Set<string>([...decoded.initializers.keys(), ...decoded.inputs.map((v) => v.name)])
  const order = topologicalOrder(decoded.nodes, defined)
  const { network, notes } = buildNetwork({ model: decoded, order, opset: opset!, head: options.head })
  try {
    assertModel(network)
  } catch (e) {
    throw new OnnxInvalidError({ shortMessage: `the imported model is not valid: ${e instanceof Error ? e.message : String(e)}`, cause: e })
  }
  const shape = modelShape(network)
  const operators: Record<string, number> = {}
  for (const n of decoded.nodes) {
    const k = n.domain ? `${n.domain}.${n.opType}` : n.opType
    operators[k] = (operators[k] ?? 0) + 1
  }
  return {
    model: network,
    report: { opset: opset!, mlOpset: usesMl ? mlOpset : undefined, irVersion: decoded.irVersion, producer: decoded.producer, layers: shape.layers, head: shape.head, standardized: shape.standardized, parameters: shape.parameters, operators, folded: notes.folded, ignored: notes.ignored },
  }
}

/**
 * Read an `.onnx` file and import it ({@link importOnnx}).
 * @param path - path of the file
 * @param options - {@link ImportOnnxOptions}
 * @returns the model and the import report
 * @throws the errors of {@link importOnnx}; a file that cannot be read rejects with the `fs` error
 * @example
 * ```ts
 * const { model } = await importOnnxFile('packages/models/fixtures/digits_mlp_relu_torch_op13.onnx')
 * ```
 */
export async function importOnnxFile(path: string, options: ImportOnnxOptions = {}): Promise<ImportOnnxReturnType> {
  aString(path, 'path', 4096)
  const bytes = await readFile(path)
  return importOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options)
}
