/**
 * @module onnx/build
 * Turns a decoded ONNX graph into Krain's canonical {@link NetworkModel} by symbolic evaluation:
 * every value is either a constant tensor or a "trunk" (the dense layers closed so far plus one
 * pending affine map that is still open). Affine nodes (MatMul, Gemm, Add/Sub/Mul/Div by
 * constants, BatchNormalization, Scaler, LinearClassifier, LinearRegressor) compose into the
 * pending map; an activation (Relu, Sigmoid, Tanh, Mul(x,x), Pow(x,2)) closes it into a layer.
 * An element-wise affine map that precedes the first dense layer becomes the model's
 * `standardize` (kept as `(x − mean) / scale`, so `Sub(mean)` then `Div(scale)` round-trips
 * exactly and the fingerprint equals that of the same JSON model). Softmax, a final Sigmoid on one
 * output, ArgMax, ZipMap, ArrayFeatureExtractor and Cast of labels are output post-processing:
 * they decide the head and the class labels.
 *
 * Work is bounded: matrices are composed only when the product costs ≤ 2^24 multiply-adds (a
 * layer with identity activation is kept otherwise) and the model holds ≤ 2^24 parameters.
 */
import { MAX_LAYERS, MAX_LAYER_WIDTH } from '../network.js'
import type { Activation, Head, NetworkLayer, NetworkModel, Standardization } from '../types.js'
import { OnnxInvalidError, OnnxUnsupportedError } from '../errors.js'
import { DT, MAX_ONNX_ELEMENTS, readTensor, type Attribute, type DecodedModel, type Node, type Tensor } from './decode.js'

type Diag = { kind: 'diag'; mean: number[]; scale: number[] }
/** `y = diag(r) · w · h + b` (`r` a lazy row scale, so chains of Mul/Div by constants cost O(rows)). */
type Full = { kind: 'full'; w: number[][]; b: number[]; r?: number[] }

/** A symbolic per-row value: closed layers, then one open affine map. */
type Trunk = {
  layers: NetworkLayer[]
  std: Standardization | undefined
  pend: Diag | Full
  rowShape: number[]
  width: number
  terminal: 'open' | 'softmax' | 'binary' | 'ovr'
  sigmoidOut: boolean
  params: number
}

type Value =
  | { t: 'const'; tensor: Tensor }
  | { t: 'sym'; s: Trunk }
  | { t: 'label'; classes?: number[] | string[] }
  | { t: 'map'; s: Trunk; classes?: number[] | string[] }
  /** An int64 shape vector (or scalar) computed from the features' shape: numbers and the symbolic batch size. */
  | { t: 'shape'; dims: (number | 'batch')[]; scalar: boolean }

/** What the build found, besides the model. */
export type BuildNotes = { folded: string[]; ignored: string[] }

const COMPOSE_LIMIT = 1 << 24
/** Most arithmetic/copy steps an import may take (bounds adversarial chains of large affine nodes). */
export const IMPORT_WORK_LIMIT = 1 << 26

const invalid = (shortMessage: string): never => {
  throw new OnnxInvalidError({ shortMessage })
}
const unsupported = (shortMessage: string, details?: string): never => {
  throw new OnnxUnsupportedError({ shortMessage, details })
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1)
const identityDiag = (n: number): Diag => ({ kind: 'diag', mean: new Array<number>(n).fill(0), scale: new Array<number>(n).fill(1) })
const isIdentity = (p: Diag | Full): boolean => p.kind === 'diag' && p.mean.every((v) => v === 0) && p.scale.every((v) => v === 1)

function attrInt(n: Node, name: string, dflt: number): number {
  const a = n.attributes.get(name)
  return a?.i ?? dflt
}
function attrFloat(n: Node, name: string, dflt: number): number {
  const a = n.attributes.get(name)
  return a?.f ?? dflt
}
function attrString(n: Node, name: string, dflt: string): string {
  return n.attributes.get(name)?.s ?? dflt
}
function attrFloats(n: Node, name: string): number[] | undefined {
  const f = n.attributes.get(name)?.floats
  if (f) f.forEach((v) => Number.isFinite(v) || invalid(`attribute "${name}" of node "${n.name}" holds a non-finite value`))
  return f
}

/** Build the network from a decoded, operator-checked, topologically sorted graph. */
export function buildNetwork({ model, order, opset, head: headOption }: { model: DecodedModel; order: Node[]; opset: number; head: Head | undefined }): { network: NetworkModel; notes: BuildNotes } {
  const notes: BuildNotes = { folded: [], ignored: [] }
  let work = 0
  const spend = (steps: number) => {
    work += steps
    if (work > IMPORT_WORK_LIMIT) unsupported(`the graph needs more than ${IMPORT_WORK_LIMIT} steps to import (long chains of large affine nodes)`)
  }
  const used = new Set<string>(order.flatMap((m) => m.inputs))
  const values = new Map<string, Value>()
  const constCache = new Map<string, Tensor>()
  let elements = 0
  const countElements = (t: Tensor) => {
    elements += t.values.length + (t.strings?.length ?? 0)
    if (elements > MAX_ONNX_ELEMENTS) invalid(`the model holds more than ${MAX_ONNX_ELEMENTS} tensor elements`)
    return t
  }

  // The one data input.
  const dataInputs = model.inputs.filter((v) => !model.initializers.has(v.name))
  if (dataInputs.length !== 1) unsupported(`the graph has ${dataInputs.length} data inputs; Krain imports models with exactly one feature input`)
  const input = dataInputs[0]!
  if (input.elemType !== DT.FLOAT && input.elemType !== DT.DOUBLE) unsupported(`input "${input.name}" has element type ${String(input.elemType)}; Krain imports float or double feature inputs`)
  const idims = input.dims
  if (!idims || idims.length < 2) unsupported(`input "${input.name}" must have a static shape [batch, features...]`)
  const rowShape = idims!.slice(1).map((d, i) => (d !== undefined && Number.isSafeInteger(d) && d >= 1 ? d : invalid(`input "${input.name}" dimension ${i + 1} is not a static positive size`)))
  const width0 = product(rowShape)
  if (width0 > MAX_LAYER_WIDTH) invalid(`input "${input.name}" has ${width0} features, more than ${MAX_LAYER_WIDTH}`)
  values.set(input.name, { t: 'sym', s: { layers: [], std: undefined, pend: identityDiag(width0), rowShape, width: width0, terminal: 'open', sigmoidOut: false, params: 0 } })

  const get = (n: Node, i: number): Value => {
    const name = n.inputs[i]
    if (name === undefined || name === '') return invalid(`node "${n.name}" (${n.opType}) is missing input ${i}`)
    const v = values.get(name)
    if (v) return v
    const raw = model.initializers.get(name)
    if (raw === undefined) return invalid(`node "${n.name}" reads "${name}", which is not defined`)
    let t = constCache.get(name)
    if (!t) {
      t = countElements(readTensor(raw as Record<string, unknown>, `initializer "${name}"`))
      constCache.set(name, t)
    }
    return { t: 'const', tensor: t }
  }
  const constOf = (n: Node, i: number, what: string): Tensor => {
    const v = get(n, i)
    if (v.t !== 'const') return unsupported(`node "${n.name}" (${n.opType}): ${what} must be a constant`)
    if (v.tensor.strings) return invalid(`node "${n.name}" (${n.opType}): ${what} must be numeric`)
    return v.tensor
  }
  /** A shape value without the batch entry is just a constant. */
  const shapeValue = (dims: (number | 'batch')[], scalar: boolean): Value =>
    dims.includes('batch') ? { t: 'shape', dims, scalar } : { t: 'const', tensor: { dims: scalar ? [] : [dims.length], dataType: DT.INT64, values: dims as number[] } }
  const set = (n: Node, v: Value, k = 0) => {
    const name = n.outputs[k]
    if (name !== undefined && name !== '') values.set(name, v)
  }
  const open = (n: Node, s: Trunk): Trunk => {
    if (s.terminal !== 'open') unsupported(`node "${n.name}" (${n.opType}) follows the model's output ${s.terminal === 'softmax' ? 'Softmax' : 'probabilities'}; Softmax and the final Sigmoid must be at the output`)
    return s
  }
  const flat = (n: Node, s: Trunk): void => {
    if (s.rowShape.length !== 1) unsupported(`node "${n.name}" (${n.opType}) needs rank-2 input [batch, features]; add a Flatten`)
  }

  const addParams = (s: Trunk, k: number): number => {
    const p = s.params + k
    if (p > MAX_ONNX_ELEMENTS) invalid(`the model would hold more than ${MAX_ONNX_ELEMENTS} parameters`)
    return p
  }
  /** The pending map as a full matrix (materialises a diagonal). */
  const toFull = (s: Trunk): Full => {
    if (s.pend.kind === 'full') {
      const { w, b, r } = s.pend
      if (!r) return s.pend
      spend(w.length * w[0]!.length)
      return { kind: 'full', w: w.map((row, j) => row.map((v) => v * r[j]!)), b }
    }
    const { mean, scale } = s.pend
    const n = s.width
    if (n * n > MAX_ONNX_ELEMENTS) invalid(`a ${n}x${n} diagonal layer is over Krain's size bound`)
    spend(n * n)
    const w = Array.from({ length: n }, (_, j) => {
      const row = new Array<number>(n).fill(0)
      row[j] = 1 / scale[j]!
      return row
    })
    return { kind: 'full', w, b: mean.map((m, j) => -m / scale[j]!) }
  }
  /** Close the pending map into a layer with activation `act`. */
  const close = (s: Trunk, act: Activation): Trunk => {
    if (s.layers.length >= MAX_LAYERS) invalid(`the model has more than ${MAX_LAYERS} layers`)
    let std = s.std
    let full: Full
    if (s.pend.kind === 'diag' && s.layers.length === 0 && !isIdentity(s.pend)) {
      std = { mean: s.pend.mean, scale: s.pend.scale }
      full = toFull({ ...s, pend: identityDiag(s.width) })
    } else full = toFull(s)
    const params = addParams(s, full.w.length * (full.w[0]!.length + 1))
    return { ...s, std, layers: [...s.layers, { weights: full.w, bias: full.b, activation: act }], pend: identityDiag(s.width), sigmoidOut: false, params }
  }
  /** Apply `y = wt · h + bias` (wt: out × width) after the pending map. */
  const dense = (n: Node, s0: Trunk, wt: number[][], bias: number[]): Trunk => {
    let s = s0
    const out = wt.length
    if (out < 1 || out > MAX_LAYER_WIDTH) invalid(`node "${n.name}" (${n.opType}) has ${out} outputs; at most ${MAX_LAYER_WIDTH}`)
    const inW = s.width
    spend(out * inW)
    let std = s.std
    let w: number[][]
    let b: number[]
    if (s.pend.kind === 'diag') {
      const { mean, scale } = s.pend
      if (s.layers.length === 0 || isIdentity(s.pend)) {
        if (s.layers.length === 0 && !isIdentity(s.pend)) std = { mean, scale }
        w = wt
        b = bias
      } else {
        w = wt.map((row) => row.map((v, i) => v / scale[i]!))
        b = bias.map((v, j) => {
          let acc = v
          for (let i = 0; i < inW; i++) acc -= w[j]![i]! * mean[i]!
          return acc
        })
      }
    } else {
      const p = s.pend
      const m = p.w[0]!.length
      if (out * inW * m > COMPOSE_LIMIT) {
        s = close(s, 'identity')
        w = wt
        b = bias
      } else {
        spend(out * inW * m)
        w = wt.map((row) => {
          const r = new Array<number>(m).fill(0)
          for (let i = 0; i < inW; i++) {
            const c = p.r ? row[i]! * p.r[i]! : row[i]!
            if (c === 0) continue
            const pi = p.w[i]!
            for (let k = 0; k < m; k++) r[k] += c * pi[k]!
          }
          return r
        })
        b = wt.map((row, j) => {
          let acc = bias[j]!
          for (let i = 0; i < inW; i++) acc += row[i]! * p.b[i]!
          return acc
        })
      }
    }
    if (out * w[0]!.length > MAX_ONNX_ELEMENTS) invalid(`node "${n.name}" (${n.opType}) makes a layer over Krain's size bound`)
    return { ...s, std, pend: { kind: 'full', w, b }, rowShape: [out], width: out, sigmoidOut: false }
  }
  /** Element-wise affine op with a per-feature constant vector `c`. */
  const elementwise = (n: Node, s: Trunk, op: 'add' | 'sub' | 'rsub' | 'mul' | 'div', c: number[]): Trunk => {
    if (op === 'div' && c.some((v) => v === 0)) invalid(`node "${n.name}" (${n.opType}) divides by zero`)
    if (s.pend.kind === 'diag') {
      const { mean, scale } = s.pend
      if (op === 'mul' && c.some((v) => v === 0)) unsupported(`node "${n.name}" (${n.opType}) multiplies a feature by 0 before any dense layer`)
      const m2 = mean.slice()
      const s2 = scale.slice()
      for (let i = 0; i < s.width; i++) {
        const ci = c[i]!
        if (op === 'add') m2[i] = mean[i]! - ci * scale[i]!
        else if (op === 'sub') m2[i] = mean[i]! + ci * scale[i]!
        else if (op === 'rsub') {
          m2[i] = mean[i]! + ci * scale[i]!
          s2[i] = -scale[i]!
        } else if (op === 'mul') s2[i] = scale[i]! / ci
        else s2[i] = scale[i]! * ci
      }
      return { ...s, pend: { kind: 'diag', mean: m2, scale: s2 }, sigmoidOut: false }
    }
    const { w, b, r } = s.pend
    spend(b.length)
    const f = op === 'mul' ? c : op === 'div' ? c.map((v) => 1 / v) : op === 'rsub' ? c.map(() => -1) : undefined
    const r2 = f ? b.map((_, j) => (r ? r[j]! : 1) * f[j]!) : r
    const b2 = b.map((v, j) => (op === 'add' ? v + c[j]! : op === 'sub' ? v - c[j]! : op === 'rsub' ? c[j]! - v : op === 'mul' ? v * c[j]! : v / c[j]!))
    return { ...s, pend: r2 ? { kind: 'full', w, b: b2, r: r2 } : { kind: 'full', w, b: b2 }, sigmoidOut: false }
  }
  /** Broadcast a constant against one row of `s` (batch axis must be 1). */
  const rowVector = (n: Node, s: Trunk, c: Tensor): number[] => {
    const full = [1, ...s.rowShape]
    spend(s.width * full.length)
    if (c.dims.length > full.length) unsupported(`node "${n.name}" (${n.opType}): constant of rank ${c.dims.length} does not broadcast over a row`)
    const off = full.length - c.dims.length
    const strides = new Array<number>(full.length).fill(0)
    let st = 1
    for (let a = c.dims.length - 1; a >= 0; a--) {
      const d = c.dims[a]!
      const fd = full[a + off]!
      if (d !== 1 && d !== fd) unsupported(`node "${n.name}" (${n.opType}): constant of shape [${c.dims.join(', ')}] does not broadcast over a row of shape [${s.rowShape.join(', ')}]`)
      strides[a + off] = d === 1 ? 0 : st
      st *= d
    }
    const out = new Array<number>(s.width)
    const idx = new Array<number>(s.rowShape.length).fill(0)
    for (let k = 0; k < s.width; k++) {
      let ci = 0
      for (let a = 0; a < idx.length; a++) ci += idx[a]! * strides[a + 1]!
      out[k] = c.values[ci]!
      for (let a = idx.length - 1; a >= 0; a--) {
        if (++idx[a]! < s.rowShape[a]!) break
        idx[a] = 0
      }
    }
    return out
  }
  const constBinary = (n: Node, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor => {
    const na = a.values.length
    const nb = b.values.length
    if (na !== nb && na !== 1 && nb !== 1) unsupported(`node "${n.name}" (${n.opType}): constants of shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`)
    const dims = na >= nb ? a.dims : b.dims
    const len = Math.max(na, nb)
    spend(len)
    const values = Array.from({ length: len }, (_, i) => f(a.values[na === 1 ? 0 : i]!, b.values[nb === 1 ? 0 : i]!))
    if (!values.every(Number.isFinite)) invalid(`node "${n.name}" (${n.opType}) makes a non-finite constant`)
    return countElements({ dims, dataType: DT.FLOAT, values })
  }
  const reshapeDims = (n: Node, total: number, dims: number[], shape: number[], allowzero: boolean): number[] => {
    const out = shape.map((d, i) => (d === 0 && !allowzero ? (dims[i] ?? invalid(`node "${n.name}" (Reshape): 0 at axis ${i} has nothing to copy`)) : d))
    const neg = out.filter((d) => d === -1).length
    if (neg > 1 || out.some((d) => d < -1 || (d === 0 && allowzero))) invalid(`node "${n.name}" (Reshape): invalid target shape [${shape.join(', ')}]`)
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1)
    if (neg === 1) {
      if (known === 0 || total % known !== 0) invalid(`node "${n.name}" (Reshape): cannot infer -1`)
      return out.map((d) => (d === -1 ? total / known : d))
    }
    if (known !== total) invalid(`node "${n.name}" (Reshape): ${total} elements do not fit [${shape.join(', ')}]`)
    return out
  }
  const lastAxis = (n: Node, s: Trunk, axis: number, coerce2d: boolean) => {
    const rank = s.rowShape.length + 1
    const a = axis < 0 ? axis + rank : axis
    if (coerce2d && a === 1) return
    if (a !== rank - 1 || rank !== 2) unsupported(`node "${n.name}" (${n.opType}) with axis ${axis} on rank ${rank}; Krain supports the feature axis of a [batch, features] tensor`)
  }
  const labelsOf = (n: Node, ints: string, strs: string): number[] | string[] | undefined => {
    const a: Attribute | undefined = n.attributes.get(ints)
    if (a?.ints) return a.ints
    const s = n.attributes.get(strs)
    if (s?.strings) return s.strings
    return undefined
  }

  for (const n of order) {
    const op = n.opType
    const ml = n.domain === 'ai.onnx.ml'
    const v0 = n.inputs.length > 0 && n.inputs[0] !== '' ? get(n, 0) : undefined
    if (v0 === undefined && op !== 'Constant') invalid(`node "${n.name}" (${op}) has no first input`)
    switch (ml ? `ml.${op}` : op) {
      case 'Constant': {
        const a = [...n.attributes.values()][0]
        if (!a) invalid(`node "${n.name}" (Constant) has no value`)
        let t: Tensor
        if (a!.name === 'value' && a!.t) t = a!.t
        else if (a!.name === 'value_float' && a!.f !== undefined) t = { dims: [], dataType: DT.FLOAT, values: [a!.f] }
        else if (a!.name === 'value_floats' && a!.floats) t = { dims: [a!.floats.length], dataType: DT.FLOAT, values: a!.floats }
        else if (a!.name === 'value_int' && a!.i !== undefined) t = { dims: [], dataType: DT.INT64, values: [a!.i] }
        else if (a!.name === 'value_ints' && a!.ints) t = { dims: [a!.ints.length], dataType: DT.INT64, values: a!.ints }
        else t = unsupported(`node "${n.name}" (Constant) with attribute "${a!.name}"`)
        set(n, { t: 'const', tensor: countElements(t) })
        break
      }
      case 'Identity':
      case 'Dropout': {
        if (op === 'Dropout' && n.outputs.slice(1).some((o) => o !== '' && used.has(o))) unsupported(`node "${n.name}" (Dropout): its mask output is used`)
        set(n, v0!)
        if (v0?.t === 'sym') notes.ignored.push(`${op} "${n.name}"`)
        break
      }
      case 'Cast':
      case 'ml.Cast': {
        const to = attrInt(n, 'to', 0)
        if (v0!.t === 'sym') {
          if (to !== DT.FLOAT && to !== DT.DOUBLE) unsupported(`node "${n.name}" (Cast) casts the features to type ${to}`)
          set(n, v0!)
        } else if (v0!.t === 'const') set(n, { t: 'const', tensor: { ...v0!.tensor, dataType: to, values: to === DT.FLOAT || to === DT.DOUBLE ? v0!.tensor.values : v0!.tensor.values.map(Math.trunc) } })
        else if (v0!.t === 'label' || v0!.t === 'shape') set(n, v0!)
        else unsupported(`node "${n.name}" (Cast) of a ${v0!.t}`)
        break
      }
      case 'Flatten': {
        const axis = attrInt(n, 'axis', 1)
        if (v0!.t === 'sym') {
          if (axis !== 1) unsupported(`node "${n.name}" (Flatten) with axis ${axis}; Krain keeps the batch axis (axis 1)`)
          set(n, { t: 'sym', s: { ...v0!.s, rowShape: [v0!.s.width] } })
        } else if (v0!.t === 'const') {
          const d = v0!.tensor.dims
          const a = axis < 0 ? axis + d.length : axis
          set(n, { t: 'const', tensor: { ...v0!.tensor, dims: [product(d.slice(0, a)), product(d.slice(a))] } })
        } else if (v0!.t === 'label') set(n, v0!)
        else unsupported(`node "${n.name}" (Flatten) of a ${v0!.t}`)
        break
      }
      case 'Reshape': {
        const sv = get(n, 1)
        // torch's x.view(x.size(0), -1): Shape → Gather(0) → Unsqueeze → Concat → Reshape; the batch entry means "keep".
        const shape = sv.t === 'shape' && v0!.t === 'sym' && !sv.scalar && sv.dims[0] === 'batch' && !sv.dims.slice(1).includes('batch') ? [0, ...(sv.dims.slice(1) as number[])] : constOf(n, 1, 'the target shape').values
        const allowzero = attrInt(n, 'allowzero', 0) === 1
        if (v0!.t === 'sym') {
          const s = v0!.s
          if (shape.length < 1 || (shape[0] !== -1 && shape[0] !== 0)) unsupported(`node "${n.name}" (Reshape) to [${shape.join(', ')}]; Krain needs the batch axis kept (first entry 0 or -1)`)
          const rest = reshapeDims(n, s.width, s.rowShape, shape.slice(1).map((d) => d), allowzero)
          set(n, { t: 'sym', s: { ...s, rowShape: rest } })
        } else if (v0!.t === 'const') set(n, { t: 'const', tensor: { ...v0!.tensor, dims: reshapeDims(n, v0!.tensor.values.length, v0!.tensor.dims, shape, allowzero) } })
        else if (v0!.t === 'label') set(n, v0!)
        else unsupported(`node "${n.name}" (Reshape) of a ${v0!.t}`)
        break
      }
      case 'MatMul': {
        const a = v0!
        if (a.t === 'const' && get(n, 1).t === 'const') unsupported(`node "${n.name}" (MatMul) of two constants`)
        if (a.t !== 'sym') unsupported(`node "${n.name}" (MatMul): the features must be the first operand`)
        const s = open(n, (a as { s: Trunk }).s)
        flat(n, s)
        const m = constOf(n, 1, 'the weight matrix')
        if (m.dims.length !== 2 || m.dims[0] !== s.width) unsupported(`node "${n.name}" (MatMul): weights of shape [${m.dims.join(', ')}] for ${s.width} features`)
        const k = m.dims[1]!
        spend(k * s.width)
        const wt: number[][] = []
        for (let j = 0; j < k; j++) {
          const row = new Array<number>(s.width)
          for (let i = 0; i < s.width; i++) row[i] = m.values[i * k + j]!
          wt.push(row)
        }
        set(n, { t: 'sym', s: dense(n, s, wt, new Array<number>(k).fill(0)) })
        break
      }
      case 'Gemm': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Gemm): the features must be input A`)
        const s = open(n, (v0 as { s: Trunk }).s)
        flat(n, s)
        if (attrInt(n, 'transA', 0) !== 0) unsupported(`node "${n.name}" (Gemm) with transA=1 on the features`)
        const transB = attrInt(n, 'transB', 0) !== 0
        const alpha = attrFloat(n, 'alpha', 1)
        const beta = attrFloat(n, 'beta', 1)
        if (!Number.isFinite(alpha) || !Number.isFinite(beta)) invalid(`node "${n.name}" (Gemm) has a non-finite alpha or beta`)
        const B = constOf(n, 1, 'B')
        if (B.dims.length !== 2) unsupported(`node "${n.name}" (Gemm): B must be a matrix`)
        const [r, c] = B.dims as [number, number]
        const inW = transB ? c : r
        const k = transB ? r : c
        spend(r * c)
        if (inW !== s.width) unsupported(`node "${n.name}" (Gemm): B of shape [${r}, ${c}]${transB ? ' (transposed)' : ''} for ${s.width} features`)
        const wt: number[][] = []
        for (let j = 0; j < k; j++) {
          const row = new Array<number>(inW)
          for (let i = 0; i < inW; i++) {
            const v = transB ? B.values[j * c + i]! : B.values[i * c + j]!
            row[i] = alpha === 1 ? v : alpha * v
          }
          wt.push(row)
        }
        let bias = new Array<number>(k).fill(0)
        if (n.inputs.length > 2 && n.inputs[2] !== '') {
          const C = constOf(n, 2, 'C')
          const cv = rowVector(n, { ...s, rowShape: [k], width: k }, C)
          bias = beta === 1 ? cv : cv.map((v) => beta * v)
        }
        set(n, { t: 'sym', s: dense(n, s, wt, bias) })
        break
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const a = v0!
        const b = get(n, 1)
        if (a.t === 'const' && b.t === 'const') {
          const f = op === 'Add' ? (x: number, y: number) => x + y : op === 'Sub' ? (x: number, y: number) => x - y : op === 'Mul' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y
          set(n, { t: 'const', tensor: constBinary(n, a.tensor, b.tensor, f) })
          break
        }
        if (a.t === 'sym' && b.t === 'sym') {
          if (op === 'Mul' && (n.inputs[0] === n.inputs[1] || a.s === b.s)) {
            set(n, { t: 'sym', s: close(open(n, a.s), 'square') })
            break
          }
          unsupported(`node "${n.name}" (${op}) of two computed values; Krain supports ${op === 'Mul' ? 'Mul(x, x) and ' : ''}${op} by a constant`)
        }
        const symFirst = a.t === 'sym'
        const sv = symFirst ? a : b
        const cv = symFirst ? b : a
        if (sv.t !== 'sym' || cv.t !== 'const') unsupported(`node "${n.name}" (${op}) of a ${a.t} and a ${b.t}`)
        const s = open(n, (sv as { s: Trunk }).s)
        const c = rowVector(n, s, (cv as { tensor: Tensor }).tensor)
        if (op === 'Div' && !symFirst) unsupported(`node "${n.name}" (Div) divides a constant by the features`)
        const kind = op === 'Add' ? 'add' : op === 'Mul' ? 'mul' : op === 'Div' ? 'div' : symFirst ? 'sub' : 'rsub'
        set(n, { t: 'sym', s: elementwise(n, s, kind, c) })
        break
      }
      case 'Pow': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Pow) of a constant base`)
        const e = constOf(n, 1, 'the exponent')
        if (e.values.length !== 1 || (e.values[0] !== 2 && e.values[0] !== 1)) unsupported(`node "${n.name}" (Pow) with exponent ${e.values.join(', ')}; Krain supports Pow(x, 2)`)
        const s = open(n, (v0 as { s: Trunk }).s)
        set(n, { t: 'sym', s: e.values[0] === 2 ? close(s, 'square') : s })
        break
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (${op}) of a constant`)
        const act: Activation = op === 'Relu' ? 'relu' : op === 'Sigmoid' ? 'sigmoid' : 'tanh'
        const s = close(open(n, (v0 as { s: Trunk }).s), act)
        set(n, { t: 'sym', s: op === 'Sigmoid' ? { ...s, sigmoidOut: true } : s })
        break
      }
      case 'BatchNormalization': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (BatchNormalization) of a constant`)
        if (attrInt(n, 'training_mode', 0) !== 0) unsupported(`node "${n.name}" (BatchNormalization) in training mode`)
        if (n.outputs.slice(1).some((o) => o !== '')) unsupported(`node "${n.name}" (BatchNormalization) with training outputs`)
        const s = open(n, (v0 as { s: Trunk }).s)
        const eps = attrFloat(n, 'epsilon', 1e-5)
        const ch = s.rowShape[0]!
        const [gamma, beta, mu, vr] = [1, 2, 3, 4].map((i) => constOf(n, i, ['scale', 'B', 'mean', 'var'][i - 1]!)) as [Tensor, Tensor, Tensor, Tensor]
        for (const t of [gamma, beta, mu, vr]) if (t.values.length !== ch) invalid(`node "${n.name}" (BatchNormalization) has ${t.values.length} channel parameters for ${ch} channels`)
        if (vr.values.some((v) => v + eps <= 0)) invalid(`node "${n.name}" (BatchNormalization) has a non-positive variance`)
        const chShape = [ch, ...s.rowShape.slice(1).map(() => 1)]
        const vec = (vals: number[]) => rowVector(n, s, { dims: chShape, dataType: DT.FLOAT, values: vals })
        const a = gamma.values.map((g, i) => g / Math.sqrt(vr.values[i]! + eps))
        let t = elementwise(n, s, 'sub', vec(mu.values))
        t = elementwise(n, t, 'mul', vec(a))
        t = elementwise(n, t, 'add', vec(beta.values))
        notes.folded.push(`BatchNormalization "${n.name}" folded into ${s.layers.length === 0 && s.pend.kind === 'diag' ? 'the input standardisation' : 'the preceding dense layer'}`)
        set(n, { t: 'sym', s: t })
        break
      }
      case 'Softmax': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Softmax) of a constant`)
        const s = open(n, (v0 as { s: Trunk }).s)
        lastAxis(n, s, attrInt(n, 'axis', opset < 13 ? 1 : -1), opset < 13)
        const c = isIdentity(s.pend) && s.layers.length > 0 ? s : close(s, 'identity')
        set(n, { t: 'sym', s: { ...c, rowShape: [c.width], terminal: 'softmax' } })
        break
      }
      case 'ArgMax': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (ArgMax) of a ${v0!.t}`)
        if (attrInt(n, 'select_last_index', 0) !== 0) unsupported(`node "${n.name}" (ArgMax) with select_last_index=1`)
        lastAxis(n, (v0 as { s: Trunk }).s, attrInt(n, 'axis', 0), false)
        notes.ignored.push(`ArgMax "${n.name}" (the label output)`)
        set(n, { t: 'label' })
        break
      }
      case 'Shape': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Shape) of a ${v0!.t}`)
        const full: (number | 'batch')[] = ['batch', ...(v0 as { s: Trunk }).s.rowShape]
        const norm = (a: number) => Math.min(Math.max(a < 0 ? a + full.length : a, 0), full.length)
        set(n, shapeValue(full.slice(norm(attrInt(n, 'start', 0)), norm(attrInt(n, 'end', full.length))), false))
        break
      }
      case 'Gather': {
        if (v0!.t !== 'shape') unsupported(`node "${n.name}" (Gather); Krain supports Gather only on a Shape (x.size(0))`)
        if (attrInt(n, 'axis', 0) !== 0) unsupported(`node "${n.name}" (Gather) with axis ${attrInt(n, 'axis', 0)}`)
        const dims = (v0 as { dims: (number | 'batch')[] }).dims
        const idx = constOf(n, 1, 'the indices')
        if (idx.dims.length > 1) unsupported(`node "${n.name}" (Gather) with indices of rank ${idx.dims.length}`)
        const picked = idx.values.map((i) => dims[i < 0 ? i + dims.length : i] ?? invalid(`node "${n.name}" (Gather): index ${i} out of range`))
        set(n, shapeValue(picked, idx.dims.length === 0))
        break
      }
      case 'Unsqueeze': {
        const axes = opset < 13 ? (n.attributes.get('axes')?.ints ?? []) : constOf(n, 1, 'the axes').values
        if (v0!.t !== 'shape' || !(v0 as { scalar: boolean }).scalar || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) unsupported(`node "${n.name}" (Unsqueeze); Krain supports it only on the batch size from Shape`)
        set(n, { t: 'shape', dims: (v0 as { dims: (number | 'batch')[] }).dims, scalar: false })
        break
      }
      case 'Concat': {
        const vs = n.inputs.map((_, i) => get(n, i))
        if (vs.some((v) => v.t === 'shape') && vs.every((v) => (v.t === 'shape' && !v.scalar) || (v.t === 'const' && v.tensor.dims.length === 1 && !v.tensor.strings))) {
          if (attrInt(n, 'axis', 0) !== 0 && attrInt(n, 'axis', 0) !== -1) unsupported(`node "${n.name}" (Concat) of shapes on axis ${attrInt(n, 'axis', 0)}`)
          set(n, shapeValue(vs.flatMap((v) => (v.t === 'shape' ? v.dims : (v as { tensor: Tensor }).tensor.values)), false))
          break
        }
        const [a, b] = vs
        const axis = attrInt(n, 'axis', 1)
        if (vs.length === 2 && a?.t === 'sym' && b?.t === 'sym' && (axis === 1 || axis === -1) && a.s.width === 1 && b.s.width === 1 && a.s.layers === b.s.layers && b.s.sigmoidOut && isIdentity(b.s.pend) && a.s.pend.kind === 'diag' && a.s.pend.mean[0] === 1 && a.s.pend.scale[0] === -1) {
          notes.ignored.push(`Sub/Concat "${n.name}" ([1 − p, p] probabilities)`)
          set(n, { t: 'sym', s: { ...b.s, rowShape: [2], terminal: 'binary' } })
          break
        }
        unsupported(`node "${n.name}" (Concat); Krain supports Concat only for the [1 − p, p] probabilities of a binary classifier`)
        break
      }
      case 'ml.LinearClassifier': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (LinearClassifier) of a constant`)
        const s = open(n, (v0 as { s: Trunk }).s)
        flat(n, s)
        const coef = attrFloats(n, 'coefficients') ?? invalid(`node "${n.name}" (LinearClassifier) has no coefficients`)
        spend(coef.length)
        const labels = labelsOf(n, 'classlabels_ints', 'classlabels_strings') ?? invalid(`node "${n.name}" (LinearClassifier) has no class labels`)
        const rows = coef.length / s.width
        if (!Number.isInteger(rows) || rows < 1) invalid(`node "${n.name}" (LinearClassifier): ${coef.length} coefficients for ${s.width} features`)
        if (rows !== labels.length) unsupported(`node "${n.name}" (LinearClassifier) with ${rows} coefficient rows for ${labels.length} classes`)
        const icp = attrFloats(n, 'intercepts') ?? new Array<number>(rows).fill(0)
        if (icp.length !== rows) invalid(`node "${n.name}" (LinearClassifier): ${icp.length} intercepts for ${rows} classes`)
        const wt = Array.from({ length: rows }, (_, j) => coef.slice(j * s.width, (j + 1) * s.width))
        const post = attrString(n, 'post_transform', 'NONE')
        let out: Trunk
        if (post === 'LOGISTIC' && rows === 2 && wt[0]!.every((v, i) => v === -wt[1]![i]!) && icp[0] === -icp[1]!) {
          out = { ...close(dense(n, s, [wt[1]!], [icp[1]!]), 'identity'), rowShape: [2], terminal: 'binary' }
        } else {
          const d = dense(n, s, wt, icp)
          if (post === 'NONE') out = d
          else if (post === 'SOFTMAX') out = { ...close(d, 'identity'), terminal: 'softmax' }
          else if (post === 'LOGISTIC') out = { ...close(d, 'identity'), terminal: 'ovr' }
          else out = unsupported(`node "${n.name}" (LinearClassifier) with post_transform ${post}`)
        }
        set(n, { t: 'label', classes: labels }, 0)
        set(n, { t: 'sym', s: out }, 1)
        break
      }
      case 'ml.LinearRegressor': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (LinearRegressor) of a constant`)
        const s = open(n, (v0 as { s: Trunk }).s)
        flat(n, s)
        if (attrString(n, 'post_transform', 'NONE') !== 'NONE') unsupported(`node "${n.name}" (LinearRegressor) with post_transform ${attrString(n, 'post_transform', '')}`)
        const targets = attrInt(n, 'targets', 1)
        const coef = attrFloats(n, 'coefficients') ?? invalid(`node "${n.name}" (LinearRegressor) has no coefficients`)
        spend(coef.length)
        if (targets < 1 || targets > MAX_LAYER_WIDTH || coef.length !== targets * s.width) invalid(`node "${n.name}" (LinearRegressor): ${coef.length} coefficients for ${targets} targets of ${s.width} features`)
        const icp = attrFloats(n, 'intercepts') ?? new Array<number>(targets).fill(0)
        if (icp.length !== targets) invalid(`node "${n.name}" (LinearRegressor): ${icp.length} intercepts for ${targets} targets`)
        set(n, { t: 'sym', s: dense(n, s, Array.from({ length: targets }, (_, j) => coef.slice(j * s.width, (j + 1) * s.width)), icp) })
        break
      }
      case 'ml.Scaler': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Scaler) of a constant`)
        const s = open(n, (v0 as { s: Trunk }).s)
        const vec = (f: number[] | undefined, d: number) => (f === undefined ? new Array<number>(s.width).fill(d) : f.length === 1 ? new Array<number>(s.width).fill(f[0]!) : f.length === s.width ? f : invalid(`node "${n.name}" (Scaler): ${f.length} values for ${s.width} features`))
        const t = elementwise(n, s, 'sub', vec(attrFloats(n, 'offset'), 0))
        set(n, { t: 'sym', s: elementwise(n, t, 'mul', vec(attrFloats(n, 'scale'), 1)) })
        break
      }
      case 'ml.Normalizer': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (Normalizer) of a constant`)
        const s = (v0 as { s: Trunk }).s
        if (attrString(n, 'norm', 'MAX') !== 'L1' || (s.terminal !== 'softmax' && s.terminal !== 'binary')) unsupported(`node "${n.name}" (Normalizer); Krain supports only an L1 Normalizer of probabilities (one-vs-rest multi-class logistic regression is not supported)`)
        notes.ignored.push(`Normalizer "${n.name}" (L1 of probabilities that already sum to 1)`)
        set(n, v0!)
        break
      }
      case 'ml.ZipMap': {
        if (v0!.t !== 'sym') unsupported(`node "${n.name}" (ZipMap) of a ${v0!.t}`)
        notes.ignored.push(`ZipMap "${n.name}"`)
        set(n, { t: 'map', s: (v0 as { s: Trunk }).s, classes: labelsOf(n, 'classlabels_int64s', 'classlabels_strings') })
        break
      }
      case 'ml.ArrayFeatureExtractor': {
        const b = get(n, 1)
        if (v0!.t !== 'const' || b.t !== 'label') unsupported(`node "${n.name}" (ArrayFeatureExtractor); Krain supports it only to map a predicted index to a class label`)
        const t = (v0 as { tensor: Tensor }).tensor
        notes.ignored.push(`ArrayFeatureExtractor "${n.name}" (class labels)`)
        set(n, { t: 'label', classes: t.strings ?? t.values })
        break
      }
      default:
        unsupported(`node "${n.name}" uses operator ${op}`)
    }
  }

  // The model's output: the one graph output carrying the features' trunk.
  let main: Trunk | undefined
  let classes: number[] | string[] | undefined
  let hasLabel = false
  const setClasses = (c: number[] | string[] | undefined) => {
    if (!c) return
    if (classes && JSON.stringify(classes) !== JSON.stringify(c)) unsupported('the graph declares two different lists of class labels')
    classes = c
  }
  for (const o of model.outputs) {
    const v = values.get(o.name)
    if (!v) invalid(`graph output "${o.name}" is not computed by any node`)
    if (v!.t === 'label') {
      hasLabel = true
      setClasses(v!.classes)
    } else if (v!.t === 'sym' || v!.t === 'map') {
      if (v!.t === 'map') setClasses(v!.classes)
      const s = v!.s
      if (main && main !== s) {
        const rank = (x: Trunk) => (x.terminal === 'softmax' || x.terminal === 'binary' ? 1 : 0)
        if (rank(s) === rank(main)) unsupported('the graph has several outputs computed from the features; Krain imports one model output (plus its label)')
        if (rank(s) > rank(main)) main = s
      } else main = s
    }
  }
  if (!main) return invalid('no graph output is computed from the input features')
  let s = main!
  if (s.terminal === 'ovr') unsupported('one-vs-rest logistic probabilities (LinearClassifier with LOGISTIC over several classes) are not supported; export with multi_class="multinomial"')
  if (!isIdentity(s.pend) || s.layers.length === 0) s = close(s, 'identity')
  let head: Head
  const lastSigmoidToIdentity = () => {
    const last = s.layers[s.layers.length - 1]!
    if (last.activation === 'sigmoid') s = { ...s, layers: [...s.layers.slice(0, -1), { ...last, activation: 'identity' }] }
  }
  if (s.terminal === 'softmax') head = 'argmax'
  else if (s.terminal === 'binary') {
    lastSigmoidToIdentity()
    head = 'sign'
  } else if (main!.sigmoidOut && s.width === 1 && headOption !== 'regression') {
    lastSigmoidToIdentity()
    head = 'sign'
  } else if (headOption) head = headOption
  else head = hasLabel && s.width > 1 ? 'argmax' : 'regression'
  if (head === 'sign' && s.width !== 1) unsupported(`head 'sign' needs one output, the model has ${s.width}`)
  const network: NetworkModel = { kind: 'network', layers: s.layers, head }
  if (s.std) network.standardize = s.std
  if (classes && head !== 'regression') {
    const want = head === 'sign' ? 2 : s.width
    if (classes.length !== want) unsupported(`the graph declares ${classes.length} class labels for ${want} classes`)
    const identity = classes.every((c, i) => c === i)
    if (!identity) network.classLabels = classes
  }
  return { network, notes }
}
