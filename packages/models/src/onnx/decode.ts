/**
 * @module onnx/decode
 * Reads ONNX bytes into plain, bounded structures with the maintained protobuf decoder of the
 * `onnx-proto` package (protobufjs code generated from the official `onnx.proto`). Every count,
 * dimension and tensor size is checked here, so the importer that follows works on data of
 * bounded size; anything malformed becomes an {@link OnnxInvalidError}.
 *
 * Spec: ONNX IR (https://github.com/onnx/onnx/blob/main/docs/IR.md), `onnx.proto`.
 */
import onnxProto from 'onnx-proto'
import { OnnxInvalidError } from '../errors.js'

const { onnx } = onnxProto

/** Most elements in any one tensor and in all tensors of a model together (2^24). */
export const MAX_ONNX_ELEMENTS = 1 << 24
/** Most nodes, initializers, inputs or outputs in a graph. */
export const MAX_ONNX_NODES = 10_000

/** ONNX `TensorProto.DataType` codes Krain reads. */
export const DT = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const

/** A decoded tensor: numbers (float, double, int32, int64) or strings, row-major. */
export type Tensor = { dims: number[]; dataType: number; values: number[]; strings?: string[] }

/** A decoded attribute (only the fields Krain reads). */
export type Attribute = { name: string; type: number; f?: number; i?: number; s?: string; t?: Tensor; floats?: number[]; ints?: number[]; strings?: string[]; hasGraph: boolean }

/** A decoded node. */
export type Node = { name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attributes: Map<string, Attribute> }

/** A graph input or output: name, element type and dims (`undefined` for a symbolic dim). */
export type ValueInfo = { name: string; elemType: number | undefined; dims: (number | undefined)[] | undefined }

/** A decoded model. */
export type DecodedModel = {
  irVersion: number
  producer: string
  opsets: Map<string, number>
  nodes: Node[]
  /** Initializers, not yet converted (converted lazily, after the operator check). */
  initializers: Map<string, unknown>
  inputs: ValueInfo[]
  outputs: ValueInfo[]
}

function invalid(shortMessage: string, cause?: unknown): never {
  throw new OnnxInvalidError({ shortMessage, cause })
}

/** An int64 field as a number (protobufjs gives a number or a Long). */
export function toNumber(v: unknown, what: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber()
  return invalid(`${what} is not an integer`)
}

const utf8 = new TextDecoder('utf-8', { fatal: false })
const str = (b: unknown): string => (b instanceof Uint8Array ? utf8.decode(b) : '')

function bounded<T>(a: T[] | null | undefined, what: string): T[] {
  const arr = a ?? []
  if (arr.length > MAX_ONNX_NODES) invalid(`${what}: ${arr.length} entries, more than ${MAX_ONNX_NODES}`)
  return arr
}

/** Element count of `dims`, checked against {@link MAX_ONNX_ELEMENTS}. */
export function elementCount(dims: number[], what: string): number {
  let n = 1
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) invalid(`${what} has dimension ${d}`)
    n *= d
    if (n > MAX_ONNX_ELEMENTS) invalid(`${what} has more than ${MAX_ONNX_ELEMENTS} elements`)
  }
  return n
}

/**
 * Convert a `TensorProto` (decoded by protobufjs) into a {@link Tensor}: float, double, int32,
 * int64 or string, from raw data or the typed fields; external data is refused.
 */
export function readTensor(t: onnxProto.onnx.ITensorProto | Record<string, unknown>, what: string): Tensor {
  const tp = t as onnxProto.onnx.ITensorProto
  if (tp.dataLocation === 1 || (tp.externalData && tp.externalData.length > 0)) invalid(`${what} stores its data externally, which Krain does not read`)
  if (tp.segment) invalid(`${what} is a segmented tensor`)
  const dims = (tp.dims ?? []).map((d) => toNumber(d, `${what} dimension`))
  if (dims.length > 8) invalid(`${what} has rank ${dims.length}`)
  const n = elementCount(dims, what)
  const dataType = tp.dataType ?? 0
  const raw = tp.rawData && tp.rawData.length > 0 ? tp.rawData : undefined
  const values: number[] = new Array<number>(dataType === DT.STRING ? 0 : n)
  const need = (len: number, field: string) => {
    if (len !== n) invalid(`${what} declares ${n} elements but ${field} holds ${len}`)
  }
  if (dataType === DT.FLOAT || dataType === DT.DOUBLE) {
    const size = dataType === DT.FLOAT ? 4 : 8
    if (raw) {
      need(raw.length / size, 'raw_data')
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      for (let i = 0; i < n; i++) values[i] = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true)
    } else {
      const src = dataType === DT.FLOAT ? (tp.floatData ?? []) : (tp.doubleData ?? [])
      need(src.length, dataType === DT.FLOAT ? 'float_data' : 'double_data')
      for (let i = 0; i < n; i++) values[i] = src[i]!
    }
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) invalid(`${what} holds a non-finite value at index ${i}`)
  } else if (dataType === DT.INT64 || dataType === DT.INT32) {
    if (raw) {
      const size = dataType === DT.INT64 ? 8 : 4
      need(raw.length / size, 'raw_data')
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      for (let i = 0; i < n; i++) {
        const v = size === 8 ? view.getBigInt64(i * 8, true) : BigInt(view.getInt32(i * 4, true))
        values[i] = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : invalid(`${what} holds an integer out of range`)
      }
    } else {
      const src = dataType === DT.INT64 ? (tp.int64Data ?? []) : (tp.int32Data ?? [])
      need(src.length, dataType === DT.INT64 ? 'int64_data' : 'int32_data')
      for (let i = 0; i < n; i++) values[i] = toNumber(src[i], what)
    }
  } else if (dataType === DT.STRING) {
    const src = tp.stringData ?? []
    need(src.length, 'string_data')
    return { dims, dataType, values: [], strings: src.map(str) }
  } else invalid(`${what} has element type ${dataType}; Krain reads float, double, int32, int64 and string tensors`)
  return { dims, dataType, values }
}

function readAttribute(a: onnxProto.onnx.IAttributeProto, what: string): Attribute {
  const out: Attribute = { name: a.name ?? '', type: a.type ?? 0, hasGraph: !!a.g || (a.graphs?.length ?? 0) > 0 }
  if (a.f !== undefined && a.f !== null) out.f = a.f
  if (a.i !== undefined && a.i !== null) out.i = toNumber(a.i, `${what}.i`)
  if (a.s && a.s.length > 0) out.s = str(a.s)
  if (a.t) out.t = readTensor(a.t, `${what}.t`)
  if (a.floats && a.floats.length > 0) {
    if (a.floats.length > MAX_ONNX_ELEMENTS) invalid(`${what} has too many floats`)
    out.floats = a.floats.slice()
  }
  if (a.ints && a.ints.length > 0) out.ints = bounded(a.ints, `${what}.ints`).map((v) => toNumber(v, `${what}.ints`))
  if (a.strings && a.strings.length > 0) out.strings = bounded(a.strings, `${what}.strings`).map(str)
  return out
}

function readValueInfo(v: onnxProto.onnx.IValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType
  const dims = tt?.shape?.dim ? tt.shape.dim.map((d) => (d.dimValue !== undefined && d.dimValue !== null && (d as { value?: string }).value === 'dimValue' ? toNumber(d.dimValue, `dimension of "${v.name}"`) : undefined)) : undefined
  return { name: v.name ?? '', elemType: tt?.elemType ?? undefined, dims }
}

/**
 * Decode ONNX bytes into a {@link DecodedModel}.
 * @throws {OnnxInvalidError} when the bytes are not a well-formed ModelProto with a graph
 */
export function decodeOnnx(bytes: Uint8Array): DecodedModel {
  let m: onnxProto.onnx.ModelProto
  try {
    m = onnx.ModelProto.decode(bytes)
  } catch (e) {
    return invalid(`not an ONNX ModelProto: ${e instanceof Error ? e.message : String(e)}`, e)
  }
  const g = m.graph
  if (!g) invalid('the model has no graph')
  const opsets = new Map<string, number>()
  for (const o of bounded(m.opsetImport, 'opset_import')) {
    const domain = o.domain === 'ai.onnx' ? '' : (o.domain ?? '')
    opsets.set(domain, toNumber(o.version ?? 0, 'opset version'))
  }
  const nodes = bounded(g.node, 'graph.node').map((n, k): Node => {
    const name = n.name && n.name.length > 0 ? n.name : `#${k}`
    const attributes = new Map<string, Attribute>()
    for (const a of bounded(n.attribute, `node "${name}" attributes`)) attributes.set(a.name ?? '', readAttribute(a, `attribute "${a.name ?? ''}" of node "${name}"`))
    return { name, opType: n.opType ?? '', domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''), inputs: bounded(n.input, `node "${name}" inputs`).slice(), outputs: bounded(n.output, `node "${name}" outputs`).slice(), attributes }
  })
  const initializers = new Map<string, unknown>()
  for (const t of bounded(g.initializer, 'graph.initializer')) {
    const name = t.name ?? ''
    if (initializers.has(name)) invalid(`initializer "${name}" is defined twice`)
    initializers.set(name, t)
  }
  if ((g.sparseInitializer?.length ?? 0) > 0) invalid('sparse initializers are not read by Krain')
  return {
    irVersion: toNumber(m.irVersion ?? 0, 'ir_version'),
    producer: [m.producerName, m.producerVersion].filter((s) => s).join(' '),
    opsets,
    nodes,
    initializers,
    inputs: bounded(g.input, 'graph.input').map(readValueInfo),
    outputs: bounded(g.output, 'graph.output').map(readValueInfo),
  }
}
