/**
 * @module quantize-network
 * Quantisation of any `@krain/models` model (its canonical network form: dense layers with
 * `identity`, `square` or `relu` activations, a `sign`, `argmax` or `regression` head) for a
 * generated circuit, with the arithmetic CHECKED rather than hoped for.
 *
 * Integers, exactly as the circuit computes them:
 *   x_q = round(x' · 2^f)                      (x' = the standardised row; |x_q| < 2^(Bx−1))
 *   acc = W_q a + b_q · 2^t                    (W_q = round(W · s_w), s_w = (2^(Bw−1) − 1) / max|W|;
 *                                               b_q = round(b · s_acc / 2^t), s_acc = s_in · s_w)
 *   relu:     a = acc ≥ 0 ? ⌊acc / 2^k⌋ : 0    (sign and quotient from one S-bit decomposition)
 *   square:   a = ⌊acc² / 2^k⌋                  (1 constraint; M more when k > 0)
 *   identity: a = ⌊acc / 2^k⌋                   (M constraints when k > 0)
 *   head: sign → acc ≥ 0; argmax → first index of the largest; regression → the outputs, packed.
 *
 * Interval arithmetic over the whole network (bigints, exact) bounds every intermediate for ANY
 * in-range input — and, in `committed` mode, for ANY weights of the committed widths (the
 * circuit range-checks them, so a dishonest prover may choose any of them); in `public` mode the
 * weights are constants and the bounds use them. Every range-check width is derived from these
 * bounds; a bound past 2^250 (where the field, ≈ 2^253.6, could wrap) or past a width the
 * caller fixed is refused with `ZkQuantizationError` carrying the bits it would need.
 *
 * Scales: per layer, the max-abs weight scale (as the shipped circuits); inputs at 2^f; a bias
 * at the scale of the sum it joins (optionally stored coarser, `b_q·2^t`, to keep its width
 * down); ReLU outputs are rescaled by 2^k (free: the bits are already there) to keep
 * `activationBits` of precision seen on the calibration rows; square/identity only when their
 * width would pass `maxActivationBits`. Bit widths not given are searched on the calibration
 * rows: the smallest input precision, then weight width, whose labels equal the float model's
 * on every row (or the best found); `minAgreement` is the floor below which it refuses.
 */
import { aFiniteNumber, anArray, anIntInRange, anObject, typeError } from '@krain/core'
import { assertModel, predictLabel, predictScores, standardizeRow, toNetwork, type Head, type Model, type NetworkModel, type Standardization } from '@krain/models'
import { ZkQuantizationError, ZkUnsupportedModelError } from '../errors.js'
import { fitsSigned } from '../quantize/pack.js'

/** How the model's weights enter the circuit. */
export type WeightMode = 'committed' | 'public'

/** The activations a circuit can evaluate exactly. */
export type CircuitActivation = 'identity' | 'square' | 'relu'

/** Quantisation choices; every one left out is derived from the model and the calibration rows. */
export type QuantizeOptions = {
  /** Inputs are `round(x' · 2^inputFractionBits)`. Default: searched (0..20); 12 for a regression head. */
  inputFractionBits?: number
  /** Signed width of a quantised input. Default: from `inputBound`. */
  inputBits?: number
  /** Largest |x'| of an in-range (standardised) input. Default: the calibration maximum, rounded up to a power of two. */
  inputBound?: number
  /** Signed width of every weight. Default: searched (4..16); 12 for a regression head. */
  weightBits?: number
  /** Signed width of each layer's stored bias. Default: from the biases, at most max(weightBits + 12, 20) (coarser storage beyond). */
  biasBits?: number[]
  /** Width of the head's range checks (sign: S, argmax: D) or of each packed regression output. Default: from the bounds. */
  headBits?: number
  /** Precision kept after a ReLU (bits of the largest value seen on the calibration rows). Default 16. */
  activationBits?: number
  /** Largest width of a square/identity activation before it is rescaled. Default 64. */
  maxActivationBits?: number
  /** The width search stops at the first width whose labels agree on this fraction of the calibration rows. Default 1 (all). */
  targetAgreement?: number
  /** Refuse when fewer calibration rows than this fraction keep the float model's label. Default 0.99. */
  minAgreement?: number
}

/** One quantised layer. */
export type QuantizedLayer = {
  /** `weights[out][in]`, signed `weightBits`-bit integers. */
  weights: bigint[][]
  /** Stored biases, signed `biasBits`-bit integers; the circuit adds `bias · 2^biasShift`. */
  bias: bigint[]
  activation: CircuitActivation
  weightBits: number
  biasBits: number
  biasShift: number
  /** Width of this layer's activation range check (relu: S; rescaled square/identity: M; else 0). */
  rangeBits: number
  /** Rescale: the activation is divided by 2^shift (floor). */
  shift: number
  weightScale: number
  /** Scale of `acc` (float value × accScale = integer). */
  accScale: number
  /** Scale of the activation's output. */
  outScale: number
}

/** Agreement of the quantised model with the float model on the calibration rows. */
export type QuantizationReport = {
  rows: number
  /** Rows whose quantised label equals the float label (classifiers). */
  agreeing: number
  agreement: number
  /** Rows outside the input range (counted as disagreeing). */
  outOfRange: number
  /** Largest |quantised − float| over the outputs (regression heads; 0 otherwise). */
  maxAbsError: number
}

/** A model quantised for a generated circuit. */
export type QuantizedNetwork = {
  kind: 'quantized-network'
  mode: WeightMode
  inputs: number
  inputBits: number
  inputFractionBits: number
  layers: QuantizedLayer[]
  head: Head
  /** sign: S; argmax: D; regression: width of each packed output. */
  headBits: number
  /** Scale of the head's values (regression outputs are `value / outputScale`). */
  outputScale: number
  standardize?: Standardization
  /** Per layer: the exact bounds of `acc` and of the activation, over every in-range input. */
  bounds: { acc: [bigint, bigint]; out: [bigint, bigint] }[]
  report: QuantizationReport
}

/** Parameters of {@link quantizeNetwork}. */
export type QuantizeNetworkParameters = {
  model: Model
  mode: WeightMode
  /** Rows in the model's input space (raw: the model's standardisation is applied). */
  calibration?: readonly (readonly number[])[]
  options?: QuantizeOptions
}

const LIMIT_BITS = 250
const bitlen = (v: bigint): number => (v <= 0n ? 0 : v.toString(2).length)
const absMax = (lo: bigint, hi: bigint): bigint => (-lo > hi ? -lo : hi)
type Interval = [bigint, bigint]

function maxAbs(values: readonly number[]): number {
  let m = 0
  for (const v of values) m = Math.max(m, Math.abs(v))
  return m
}

function unsafe(what: string, neededBits: number, limit: number, details?: string): never {
  throw new ZkQuantizationError({ shortMessage: `${what} needs ${neededBits} bits, more than ${limit}`, details, neededBits })
}

/** Internal: the choices that fix a quantisation (after the search). */
type Choice = { f: number; bx: number; wb: number }

/** Internal: one quantisation attempt (no search). */
function quantizeWith(net: NetworkModel, mode: WeightMode, c: Choice, o: QuantizeOptions, calib: bigint[][]): Omit<QuantizedNetwork, 'report'> {
  const layers: QuantizedLayer[] = []
  const bounds: QuantizedNetwork['bounds'] = []
  const inputs = net.layers[0]!.weights[0]!.length
  const half = 1n << BigInt(c.bx - 1)
  let inIv: Interval[] = Array.from({ length: inputs }, () => [-half, half - 1n] as Interval)
  let inScale = 2 ** c.f
  // Calibration activations only matter for choosing ReLU rescales.
  let acts = net.layers.some((l, i) => l.activation === 'relu' && i < net.layers.length - 1) ? calib : []
  const wHalf = 1n << BigInt(c.wb - 1)
  const activationBits = o.activationBits ?? 16
  const maxActivationBits = o.maxActivationBits ?? 64
  let headBits = 0
  net.layers.forEach((l, li) => {
    const last = li === net.layers.length - 1
    const act = l.activation
    if (act !== 'identity' && act !== 'square' && act !== 'relu') throw new ZkUnsupportedModelError({ shortMessage: `layer ${li} has activation '${act}', which has no exact circuit`, details: 'circuits evaluate identity, square and relu exactly; sigmoid/tanh would need a polynomial approximation (retrain with square or relu)' })
    const flat = l.weights.flat()
    const m = maxAbs(flat)
    const weightScale = m === 0 ? 1 : (2 ** (c.wb - 1) - 1) / m
    const weights = l.weights.map((r) => r.map((v) => BigInt(Math.round(v * weightScale))))
    const accScale = inScale * weightScale
    const exact = l.bias.map((b) => BigInt(Math.round(b * accScale)))
    const needB = Math.max(2, bitlen(exact.reduce((a, v) => (v < 0n ? (-v > a ? -v : a) : v > a ? v : a), 0n)) + 1)
    let biasBits: number
    let biasShift = 0
    let bias = exact
    const given = o.biasBits?.[li]
    if (given !== undefined) {
      if (!exact.every((b) => fitsSigned(b, given))) unsafe(`the bias of layer ${li}`, needB, given, 'options.biasBits is too small for this model')
      biasBits = given
    } else {
      const cap = Math.max(c.wb + 12, 20)
      if (needB > cap) {
        biasShift = needB - cap
        bias = l.bias.map((b) => BigInt(Math.round((b * accScale) / 2 ** biasShift)))
      }
      biasBits = Math.max(2, bitlen(bias.reduce((a, v) => (v < 0n ? (-v > a ? -v : a) : v > a ? v : a), 0n)) + 1)
    }
    const two = 1n << BigInt(biasShift)
    // Bounds of acc per unit.
    const bHalf = 1n << BigInt(biasBits - 1)
    const acc: Interval[] = weights.map((row, u) => {
      let lo: bigint
      let hi: bigint
      if (mode === 'public') {
        lo = bias[u]! * two
        hi = lo
        for (let i = 0; i < row.length; i++) {
          const w = row[i]!
          if (w >= 0n) {
            lo += w * inIv[i]![0]
            hi += w * inIv[i]![1]
          } else {
            lo += w * inIv[i]![1]
            hi += w * inIv[i]![0]
          }
        }
      } else {
        lo = -bHalf * two
        hi = (bHalf - 1n) * two
        for (let i = 0; i < row.length; i++) {
          const [al, ah] = inIv[i]!
          const cs = [-wHalf * al, -wHalf * ah, (wHalf - 1n) * al, (wHalf - 1n) * ah]
          lo += cs.reduce((a, b) => (b < a ? b : a))
          hi += cs.reduce((a, b) => (b > a ? b : a))
        }
      }
      return [lo, hi]
    })
    const accLo = acc.reduce((a, v) => (v[0] < a ? v[0] : a), acc[0]![0])
    const accHi = acc.reduce((a, v) => (v[1] > a ? v[1] : a), acc[0]![1])
    const accBits = bitlen(absMax(accLo, accHi)) + 1
    if (accBits > LIMIT_BITS) unsafe(`layer ${li}'s sums`, accBits, LIMIT_BITS, `|acc| ≤ ${absMax(accLo, accHi)} could wrap the BN254 field; lower weightBits/inputBits or rescale earlier`)
    // Calibration activations (exact integers, as the circuit).
    const accRows = acts.map((a) => weights.map((row, u) => dot(row, a) + bias[u]! * two))
    let rangeBits = 0
    let shift = 0
    let out: Interval[]
    let outScale = accScale
    if (act === 'relu') {
      rangeBits = accBits
      if (!last) {
        const seen = accRows.reduce((mx, r) => r.reduce((a, v) => (v > a ? v : a), mx), 0n)
        const base = acts.length > 0 ? bitlen(seen) : rangeBits - 1
        shift = Math.min(Math.max(0, base - activationBits), rangeBits - 1)
      }
      out = acc.map(([, hi]) => [0n, hi > 0n ? hi >> BigInt(shift) : 0n])
    } else if (act === 'square') {
      out = acc.map(([lo, hi]) => {
        const a = lo * lo
        const b = hi * hi
        const top = a > b ? a : b
        const bottom = lo <= 0n && hi >= 0n ? 0n : a < b ? a : b
        return [bottom, top]
      })
      outScale = accScale * accScale
      const topBits = bitlen(out.reduce((a, v) => (v[1] > a ? v[1] : a), 0n))
      if (topBits > LIMIT_BITS) unsafe(`layer ${li}'s squares`, topBits, LIMIT_BITS, 'rescale or narrow the layer before the square')
      if (!last && topBits > maxActivationBits) {
        rangeBits = topBits
        shift = topBits - maxActivationBits
        out = out.map(([lo, hi]) => [lo >> BigInt(shift), hi >> BigInt(shift)])
      }
    } else {
      out = acc
      if (!last && accBits - 1 > maxActivationBits) {
        rangeBits = accBits
        shift = accBits - 1 - maxActivationBits
        out = out.map(([lo, hi]) => [lo >> BigInt(shift), hi >> BigInt(shift)])
      }
    }
    outScale /= 2 ** shift
    if (rangeBits > 252) unsafe(`layer ${li}'s activation range check`, rangeBits, 252)
    const k = BigInt(shift)
    acts = accRows.map((r) => r.map((v) => activateInt(act, v, k)))
    const outLo = out.reduce((a, v) => (v[0] < a ? v[0] : a), out[0]![0])
    const outHi = out.reduce((a, v) => (v[1] > a ? v[1] : a), out[0]![1])
    layers.push({ weights, bias, activation: act, weightBits: c.wb, biasBits, biasShift, rangeBits, shift, weightScale, accScale, outScale })
    bounds.push({ acc: [accLo, accHi], out: [outLo, outHi] })
    inIv = out
    inScale = outScale
    if (last) {
      let need: number
      if (net.head === 'sign') need = bitlen(absMax(outLo, outHi)) + 1
      else if (net.head === 'argmax') need = Math.max(1, bitlen(outHi - outLo))
      else need = bitlen(absMax(outLo, outHi)) + 1
      const what = net.head === 'regression' ? 'each regression output' : `the ${net.head} range check`
      if (o.headBits !== undefined && o.headBits < need) unsafe(what, need, o.headBits, 'options.headBits is too small for the bounds of the last layer')
      headBits = o.headBits ?? need
      if (headBits > 252) unsafe(what, headBits, 252)
      if (net.head === 'regression' && headBits * l.weights.length > 252) unsafe(`${l.weights.length} regression outputs packed into one field element`, headBits * l.weights.length, 252, `each output needs ${headBits} bits; fewer outputs or narrower widths`)
    }
  })
  return { kind: 'quantized-network', mode, inputs, inputBits: c.bx, inputFractionBits: c.f, layers, head: net.head, headBits, outputScale: inScale, ...(net.standardize ? { standardize: net.standardize } : {}), bounds }
}

function dot(row: readonly bigint[], a: readonly bigint[]): bigint {
  let s = 0n
  for (let i = 0; i < row.length; i++) s += row[i]! * a[i]!
  return s
}

function activateInt(act: CircuitActivation, v: bigint, k: bigint): bigint {
  if (act === 'relu') return v > 0n ? v >> k : 0n
  if (act === 'square') return (v * v) >> k
  return v >> k
}

/**
 * The exact integer evaluation the circuit performs: the head's values (last layer's
 * activations) and the output signal.
 * @param q - the quantised network
 * @param x - a quantised input (see {@link quantizeNetworkInput})
 * @returns `{ values, output, label }`: `output` is the public output signal; `label` the class (classifiers)
 */
export function evaluateQuantized(q: QuantizedNetwork, x: readonly bigint[]): { values: bigint[]; output: bigint; label: number } {
  let a: bigint[]
  const fast = numberForward(q)
  if (fast) a = fast(x)
  else {
    a = [...x]
    for (const l of q.layers) {
      const two = 1n << BigInt(l.biasShift)
      const k = BigInt(l.shift)
      a = l.weights.map((row, u) => activateInt(l.activation, dot(row, a) + l.bias[u]! * two, k))
    }
  }
  if (q.head === 'sign') {
    const label = a[0]! >= 0n ? 1 : 0
    return { values: a, output: BigInt(label), label }
  }
  if (q.head === 'argmax') {
    let best = 0
    for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i
    return { values: a, output: BigInt(best), label: best }
  }
  return { values: a, output: packRegression(a, q.headBits), label: -1 }
}

const forwards = new WeakMap<QuantizedNetwork, ((x: readonly bigint[]) => bigint[]) | null>()

/**
 * The same evaluation in doubles, when every partial sum, product and square is provably below
 * 2^53 (then exact): `Σ|w|·max|a| + |b|·2^t` per layer, from the input width and the bounds.
 * Calibration runs thousands of rows through the network; bigints would be ~50× slower.
 */
function numberForward(q: QuantizedNetwork): ((x: readonly bigint[]) => bigint[]) | null {
  const hit = forwards.get(q)
  if (hit !== undefined) return hit
  const SAFE = 2 ** 53
  let maxIn = 2 ** (q.inputBits - 1)
  let ok = true
  const layers = q.layers.map((l, i) => {
    const w = l.weights.map((r) => r.map(Number))
    const b = l.bias.map((v) => Number(v) * 2 ** l.biasShift)
    const worst = Math.max(...w.map((r, u) => r.reduce((s, v) => s + Math.abs(v), 0) * maxIn + Math.abs(b[u]!)))
    if (!(worst < SAFE) || (l.activation === 'square' && !(worst * worst < SAFE))) ok = false
    const o = q.bounds[i]!.out
    maxIn = Number(-o[0] > o[1] ? -o[0] : o[1])
    return { w, b, act: l.activation, div: 2 ** l.shift }
  })
  const f = ok
    ? (x: readonly bigint[]): bigint[] => {
        let a = x.map(Number)
        for (const l of layers) {
          a = l.w.map((r, u) => {
            let s = l.b[u]!
            for (let i = 0; i < r.length; i++) s += r[i]! * a[i]!
            if (l.act === 'relu') return s > 0 ? Math.floor(s / l.div) : 0
            if (l.act === 'square') return Math.floor((s * s) / l.div)
            return Math.floor(s / l.div)
          })
        }
        return a.map((v) => BigInt(v))
      }
    : null
  forwards.set(q, f)
  return f
}

/** Regression outputs packed as `Σ (v_o + 2^(B−1)) · 2^(B·o)` (B = headBits). */
export function packRegression(values: readonly bigint[], bits: number): bigint {
  const b = BigInt(bits)
  const half = 1n << (b - 1n)
  return values.reduce((acc, v, o) => acc + ((v + half) << (b * BigInt(o))), 0n)
}

/**
 * Unpack the output signal of a regression circuit into its integer outputs (divide by
 * `outputScale` for the model's values).
 * @param output - the first public signal
 * @param count - the number of outputs
 * @param bits - the circuit's `headBits`
 */
export function unpackRegression(output: bigint, count: number, bits: number): bigint[] {
  const b = BigInt(bits)
  const mask = (1n << b) - 1n
  const half = 1n << (b - 1n)
  return Array.from({ length: count }, (_, o) => ((output >> (b * BigInt(o))) & mask) - half)
}

function quantizeRow(x: readonly number[], f: number, std: Standardization | undefined): bigint[] {
  const s = standardizeRow(std, x as number[])
  return s.map((v) => BigInt(Math.round(v * 2 ** f)))
}

/**
 * Quantise one input row for a quantised network (the model's standardisation is applied first).
 * Bigints are taken as already quantised and only range-checked.
 * @param q - the quantised network
 * @param input - a raw feature row (numbers) or a quantised one (bigints)
 * @param name - the argument's name in messages
 * @returns the quantised row
 * @throws {TypeError} on junk; {RangeError} on a wrong length or a value outside the circuit's input range
 */
export function quantizeNetworkInput(q: QuantizedNetwork, input: readonly (number | bigint)[], name = 'input'): bigint[] {
  const row = anArray<unknown>(input, name, q.inputs, q.inputs)
  let out: bigint[]
  if (row.every((v) => typeof v === 'bigint')) out = row as bigint[]
  else {
    row.forEach((v, i) => (typeof v === 'number' ? aFiniteNumber(v, `${name}[${i}]`) : typeError(`${name}[${i}]`, 'a number', v)))
    out = quantizeRow(row as number[], q.inputFractionBits, q.standardize)
  }
  out.forEach((v, i) => {
    if (!fitsSigned(v, q.inputBits)) {
      const lim = 2 ** (q.inputBits - 1) / 2 ** q.inputFractionBits
      throw new RangeError(`"${name}[${i}]" expected a (standardised) value in [-${lim}, ${lim}) for this circuit, got ${String(row[i])}`)
    }
  })
  return out
}

function report(net: NetworkModel, q: Omit<QuantizedNetwork, 'report'>, rows: readonly (readonly number[])[]): QuantizationReport {
  let agreeing = 0
  let outOfRange = 0
  let maxAbsError = 0
  for (const r of rows) {
    const x = quantizeRow(r, q.inputFractionBits, q.standardize)
    if (!x.every((v) => fitsSigned(v, q.inputBits))) {
      outOfRange++
      continue
    }
    const e = evaluateQuantized(q as QuantizedNetwork, x)
    if (net.head === 'regression') {
      const f = predictScores(net, r as number[])
      e.values.forEach((v, o) => (maxAbsError = Math.max(maxAbsError, Math.abs(Number(v) / q.outputScale - f[o]!))))
      agreeing++
    } else if (e.label === predictLabel(net, r as number[])) agreeing++
  }
  return { rows: rows.length, agreeing, agreement: rows.length === 0 ? 1 : agreeing / rows.length, outOfRange, maxAbsError }
}

function aWidth(v: unknown, name: string, min: number, max: number): number | undefined {
  return v === undefined ? undefined : anIntInRange(v, name, min, max)
}

/**
 * Quantise a model for a generated circuit, choose every width from the model and the
 * calibration rows, and prove by interval arithmetic that no intermediate can wrap the field.
 * @param parameters - `{ model, mode, calibration?, options? }`
 * @returns the quantised network with its bounds and its agreement with the float model
 * @throws {TypeError|RangeError} on a malformed model, rows or options (named)
 * @throws {ZkUnsupportedModelError} for an activation without an exact circuit (sigmoid, tanh)
 * @throws {ZkQuantizationError} when a bound needs more bits than the field or a given width allows, or agreement < minAgreement
 * @example
 * ```ts
 * const { model, test } = digitsTask()
 * const q = quantizeNetwork({ model, mode: 'committed', calibration: test.x })
 * q.report.agreement // 1
 * ```
 */
export function quantizeNetwork(parameters: QuantizeNetworkParameters): QuantizedNetwork {
  const p = anObject(parameters, 'parameters') as QuantizeNetworkParameters
  const net = toNetwork(assertModel(p.model, 'model'))
  if (p.mode !== 'committed' && p.mode !== 'public') typeError('mode', "'committed' or 'public'", p.mode)
  const o = (p.options === undefined ? {} : anObject(p.options, 'options')) as QuantizeOptions
  const inputs = net.layers[0]!.weights[0]!.length
  const rows = anArray<readonly number[]>(p.calibration ?? [], 'calibration', 0, 1 << 20)
  rows.forEach((r, i) => anArray<unknown>(r, `calibration[${i}]`, inputs, inputs).forEach((v, j) => aFiniteNumber(v, `calibration[${i}][${j}]`)))
  const f0 = aWidth(o.inputFractionBits, 'options.inputFractionBits', 0, 32)
  const bx0 = aWidth(o.inputBits, 'options.inputBits', 2, 64)
  const wb0 = aWidth(o.weightBits, 'options.weightBits', 2, 32)
  aWidth(o.headBits, 'options.headBits', 1, 252)
  aWidth(o.activationBits, 'options.activationBits', 1, 128)
  aWidth(o.maxActivationBits, 'options.maxActivationBits', 1, 200)
  if (o.biasBits !== undefined) anArray<unknown>(o.biasBits, 'options.biasBits', net.layers.length, net.layers.length).forEach((b, i) => anIntInRange(b, `options.biasBits[${i}]`, 2, 126))
  const minAgreement = o.minAgreement === undefined ? 0.99 : aFiniteNumber(o.minAgreement, 'options.minAgreement')
  if (minAgreement < 0 || minAgreement > 1) throw new RangeError(`"options.minAgreement" expected a number in [0, 1], got ${minAgreement}`)
  const target = o.targetAgreement === undefined ? 1 : aFiniteNumber(o.targetAgreement, 'options.targetAgreement')
  if (target < 0 || target > 1) throw new RangeError(`"options.targetAgreement" expected a number in [0, 1], got ${target}`)
  if (o.inputBound !== undefined && !(aFiniteNumber(o.inputBound, 'options.inputBound') > 0)) throw new RangeError(`"options.inputBound" expected a positive number, got ${o.inputBound}`)
  if (rows.length === 0 && (bx0 === undefined || f0 === undefined) && o.inputBound === undefined) {
    throw new RangeError('"calibration" expected at least one row when options.inputBound (or inputBits and inputFractionBits) is not given')
  }
  const std = rows.map((r) => standardizeRow(net.standardize, r as number[]))
  let bound = o.inputBound ?? 2 ** Math.ceil(Math.log2(Math.max(2 ** -20, ...std.map((r) => maxAbs(r)))))
  const bxFor = (f: number): number => bx0 ?? bitlen(BigInt(Math.ceil(bound * 2 ** f))) + 1
  const attempt = (c: Choice): QuantizedNetwork => {
    const calib = std.map((r) => r.map((v) => BigInt(Math.round(v * 2 ** c.f)))).filter((x) => x.every((v) => fitsSigned(v, c.bx)))
    const q = quantizeWith(net, p.mode, c, o, calib)
    return { ...q, report: report(net, q, rows) }
  }
  // Search the widths not given: input precision first (at the widest weights), then weights.
  const search = (lo: number, hi: number, make: (v: number) => Choice): QuantizedNetwork => {
    let best: QuantizedNetwork | undefined
    for (let v = lo; v <= hi; v++) {
      const q = attempt(make(v))
      if (!best || q.report.agreement > best.report.agreement) best = q
      if (q.report.agreement >= target) return q
    }
    return best!
  }
  let q: QuantizedNetwork
  if (rows.length === 0) {
    const f = f0 ?? 8
    if (bx0 === undefined && o.inputBound === undefined) bound = 1
    q = attempt({ f, bx: bxFor(f), wb: wb0 ?? 12 })
  } else if (net.head === 'regression') {
    // No label to agree on: without given widths, 12 fractional input bits and 12-bit weights (see report.maxAbsError).
    const f = f0 ?? 12
    q = attempt({ f, bx: bxFor(f), wb: wb0 ?? 12 })
  } else {
    const f = f0 ?? search(0, 20, (v) => ({ f: v, bx: bxFor(v), wb: wb0 ?? 16 })).inputFractionBits
    q = wb0 !== undefined ? attempt({ f, bx: bxFor(f), wb: wb0 }) : search(4, 16, (v) => ({ f, bx: bxFor(f), wb: v }))
  }
  if (rows.length > 0 && q.report.agreement < minAgreement) {
    throw new ZkQuantizationError({ shortMessage: `the quantised model keeps the float label on ${(q.report.agreement * 100).toFixed(1)}% of the calibration rows, below ${minAgreement * 100}%`, details: `${q.report.agreeing}/${q.report.rows} rows agree (${q.report.outOfRange} out of the input range) with inputFractionBits ${q.inputFractionBits}, weightBits ${q.layers[0]!.weightBits}` })
  }
  return q
}

/** True when `v` is a {@link QuantizedNetwork}. */
export function isQuantizedNetwork(v: unknown): v is QuantizedNetwork {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'quantized-network'
}
