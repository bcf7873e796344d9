/**
 * @module check/check-contract
 * The type checker: encrypted/plain flow (no branch on an encrypted value, no encrypted value in a
 * plain output), vector sizes, value ranges by interval arithmetic from the declared input ranges
 * (every approximation's argument must stay inside its declared range), multiplicative depth, and
 * a propagated error bound (noise in units of the scheme's ε plus approximation error).
 */
import { ContractLeakError, ContractRangeError, ContractTypeError } from '../errors.js'
import type { ContractAst, Expr, InputType, Pos, Range, Stmt } from '../syntax/ast.js'
import { DEFAULT_DEGREE, FOLD_MAX_POWER, MAX_DEGREE, planApproximation, type Approximation } from './approximations.js'
import { BASE_SCALE, polyvalLevels, polyvalRescales, productScale, sameScale, unknownScale, type Scale } from './scale-algebra.js'

/** What the checker knows about a value. */
export type ValueInfo = {
  enc: boolean
  /** 0 for a scalar, else the vector length. */
  length: number
  /** Interval holding every element. */
  range: Range
  /** Multiplicative depth consumed (encrypted values). */
  depth: number
  /** Error bound: `noise` units of the scheme's ε plus `approx` (absolute). */
  noise: number
  approx: number
  /** Scalars: valid in every slot of a sample's block. Vectors: padding slots hold zero. */
  tidy: boolean
  /** Exact integer values only (for BFV). */
  integer: boolean
  /** CKKS scale monomial of an encrypted value (see scale-algebra). */
  scale: Scale
  /** Depth and scale are exact (false below a data-dependent `if`: then they are upper bounds). */
  exact: boolean
  /** The plaintext product whose result scale may still be chosen (an inline value, used once). */
  free?: Expr
}

/** A declared input. */
export type CheckedInput = { name: string; enc: boolean; type: InputType; range: Range }
/** A checked output. */
export type CheckedOutput = { name: string; plain: boolean; info: ValueInfo }

/** The result of {@link checkContract}. */
export type CheckedContract = {
  ast: ContractAst
  inputs: CheckedInput[]
  outputs: CheckedOutput[]
  /** Per-expression facts (same objects as in `ast`). */
  info: Map<Expr, ValueInfo>
  /** Approximation per call/comparison node. */
  approximations: Map<Expr, Approximation>
  depth: number
  /** Largest |value| anywhere in the encrypted computation. */
  maxMagnitude: number
  /** Block size (slots per sample): next power of two of the longest vector. */
  blockSize: number
  /** Kinds of encrypted operations used (scheme choice). */
  uses: { encMul: boolean; approx: boolean; rotations: boolean; divide: boolean }
  /** Plaintext products whose result scale is set to match the value they are added to (saves a level). */
  retarget: Map<Expr, Scale>
}

const APPROX = new Set(['sigmoid', 'tanh', 'sqrt', 'inverse'])
const MAX_VECTOR = 4096

const at = (p: Pos) => ({ line: p.line, column: p.column })
const mag = (r: Range) => Math.max(Math.abs(r[0]), Math.abs(r[1]))
const nextPow2 = (n: number) => {
  let p = 1
  while (p < n) p *= 2
  return p
}

function mulRange(a: Range, b: Range): Range {
  const c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
  return [Math.min(...c), Math.max(...c)]
}

function powRange(a: Range, n: number): Range {
  const lo = a[0] ** n
  const hi = a[1] ** n
  if (n % 2 === 1) return [lo, hi]
  if (a[0] <= 0 && a[1] >= 0) return [0, Math.max(lo, hi)]
  return [Math.min(lo, hi), Math.max(lo, hi)]
}

function checkRange(r: Range, what: string, pos: Pos): Range {
  if (!(Number.isFinite(r[0]) && Number.isFinite(r[1])) || !(r[0] < r[1])) throw new ContractTypeError({ shortMessage: `${what} range [${r[0]}, ${r[1]}] must have finite lo < hi`, ...at(pos) })
  return r
}

/**
 * Type-check a parsed contract.
 * @param ast - from {@link parseContract}
 * @returns the checked contract (types, ranges, depth, error terms)
 * @throws {ContractTypeError} unknown names, size mismatches, bad arguments
 * @throws {ContractLeakError} an encrypted value reaching a plain output or an `if` condition
 * @throws {ContractRangeError} an approximation's argument may leave its declared range
 * @example
 * ```ts
 * const checked = checkContract(parseContract(src))
 * ```
 */
export function checkContract(ast: ContractAst): CheckedContract {
  if (!ast || ast.kind !== 'contract' || !Array.isArray(ast.statements)) throw new TypeError('"ast" expected a parsed contract')
  const env = new Map<string, ValueInfo>()
  const inputs: CheckedInput[] = []
  const outputs: CheckedOutput[] = []
  const info = new Map<Expr, ValueInfo>()
  const approximations = new Map<Expr, Approximation>()
  const uses = { encMul: false, approx: false, rotations: false, divide: false }
  let maxLen = 1
  let maxMagnitude = 0
  let depth = 0
  const retarget = new Map<Expr, Scale>()

  const note = (e: Expr, v: ValueInfo): ValueInfo => {
    info.set(e, v)
    if (v.enc) {
      maxMagnitude = Math.max(maxMagnitude, mag(v.range))
      depth = Math.max(depth, v.depth)
    }
    return v
  }
  const plainV = (length: number, range: Range, integer: boolean): ValueInfo => ({ enc: false, length, range, depth: 0, noise: 0, approx: 0, tidy: true, integer, scale: BASE_SCALE, exact: true })

  // level/scale of a ± b, exactly as @krain/he's align does it: equal scales add at the deeper
  // level; otherwise a plaintext product on one side lands on the other's scale (no level), or the
  // shallower operand is multiplied by 1 at the other's scale (a level only when both are equally deep)
  const join = (a: ValueInfo, b: ValueInfo): Pick<ValueInfo, 'depth' | 'scale' | 'exact' | 'free'> => {
    if (!a.enc) return { depth: b.depth, scale: b.scale, exact: b.exact, free: b.free }
    if (!b.enc) return { depth: a.depth, scale: a.scale, exact: a.exact, free: a.free }
    const max = Math.max(a.depth, b.depth)
    if (!a.exact || !b.exact) return { depth: max + 1, scale: unknownScale(), exact: false }
    if (sameScale(a.scale, b.scale)) return { depth: max, scale: a.scale, exact: true }
    if (a.free && a.depth <= b.depth) {
      retarget.set(a.free, b.scale)
      return { depth: b.depth, scale: b.scale, exact: true }
    }
    if (b.free && b.depth <= a.depth) {
      retarget.set(b.free, a.scale)
      return { depth: a.depth, scale: a.scale, exact: true }
    }
    if (a.depth !== b.depth) return { depth: max, scale: (a.depth > b.depth ? a : b).scale, exact: true }
    return { depth: max + 1, scale: b.scale, exact: true }
  }
  // a ciphertext product (both operands dropped to the deeper level, then rescaled)
  type Lv = Pick<ValueInfo, 'depth' | 'scale' | 'exact'>
  const product = (a: Lv, b: Lv): Lv => {
    const k = Math.max(a.depth, b.depth)
    const exact = a.exact && b.exact
    return { depth: k + 1, scale: exact ? productScale(a.scale, b.scale, k) : unknownScale(), exact }
  }
  const power = (a: Lv, n: number): Lv => {
    if (n === 1) return a
    const hi = 2 ** Math.floor(Math.log2(n))
    if (hi === n) {
      const h = power(a, n / 2)
      return product(h, h)
    }
    return product(power(a, hi), power(a, n - hi))
  }

  const sameShape = (a: ValueInfo, b: ValueInfo, pos: Pos, op: string) => {
    if (a.length && b.length && a.length !== b.length) throw new ContractTypeError({ shortMessage: `"${op}" of vectors of different sizes (${a.length} and ${b.length})`, ...at(pos) })
    const s = a.length || b.length
    const scalar = a.length ? b : a
    if (s && a.length !== b.length && scalar.enc && !scalar.tidy) {
      throw new ContractTypeError({ shortMessage: `"${op}" of a vector with an encrypted scalar derived from a sum, mean or dot is not supported`, details: 'write the statistic without broadcasting, e.g. variance = mean(x * x) - mean(x)^2', ...at(pos) })
    }
    return s
  }

  const approxInfo = (e: Expr, fn: string, arg: ValueInfo, range: Range | undefined, degree: number | undefined, pos: Pos, label: string): ValueInfo => {
    if (!range) throw new ContractTypeError({ shortMessage: `${label} of an encrypted value needs a declared range: "${label} in [lo, hi]"`, ...at(pos) })
    checkRange(range, label, pos)
    const d = degree ?? DEFAULT_DEGREE
    if (!Number.isSafeInteger(d) || d < 1 || d > MAX_DEGREE) throw new ContractTypeError({ shortMessage: `degree must be an integer in [1, ${MAX_DEGREE}], got ${d}`, ...at(pos) })
    if ((fn === 'sqrt' || fn === 'inverse') && range[0] <= 0) throw new ContractTypeError({ shortMessage: `${fn} needs a range of positive values, got [${range[0]}, ${range[1]}]`, ...at(pos) })
    if (arg.range[0] < range[0] || arg.range[1] > range[1]) {
      throw new ContractRangeError({ shortMessage: `${label} argument may reach [${fmt(arg.range[0])}, ${fmt(arg.range[1])}], outside the declared range [${range[0]}, ${range[1]}]`, details: 'widen the declared range or narrow the input ranges', ...at(pos) })
    }
    const a = planApproximation(fn, range, d)
    if (a.beta === 0 && a.alpha !== 1 && mag(range) ** d <= FOLD_MAX_POWER) a.folded = a.coefficients.map((c, k) => c * a.alpha ** k)
    approximations.set(e, a)
    uses.approx = true
    let lo = Infinity
    let hi = -Infinity
    for (let k = 0; k <= 256; k++) {
      const x = arg.range[0] + ((arg.range[1] - arg.range[0]) * k) / 256
      const t = a.coefficients.reduceRight((s, c) => s * (a.alpha * x + a.beta) + c, 0)
      lo = Math.min(lo, t)
      hi = Math.max(hi, t)
    }
    const slack = a.maxError + 1e-9
    const l1 = a.coefficients.reduce((s, c) => s + Math.abs(c), 0)
    const affine = a.alpha === 1 || a.folded ? 0 : 1
    return { enc: true, length: arg.length, range: [lo - slack, hi + slack], depth: arg.depth + affine + polyvalLevels(a.folded ?? a.coefficients), scale: polyvalRescales(a.folded ?? a.coefficients) ? BASE_SCALE : arg.scale, exact: arg.exact, noise: a.lipschitz * arg.noise + (2 + a.degree) * (1 + l1) * 2 + (a.alpha === 1 ? 0 : 1 + mag(arg.range) * a.alpha), approx: a.lipschitz * arg.approx + a.maxError, tidy: arg.length === 0 ? arg.tidy : false, integer: false }
  }

  const visit = (e: Expr): ValueInfo => {
    switch (e.kind) {
      case 'num':
        if (!Number.isFinite(e.value)) throw new ContractTypeError({ shortMessage: `number out of range`, ...at(e.pos) })
        return note(e, plainV(0, [e.value, e.value], Number.isInteger(e.value)))
      case 'vec': {
        if (e.items.length > MAX_VECTOR) throw new ContractTypeError({ shortMessage: `vector literal longer than ${MAX_VECTOR}`, ...at(e.pos) })
        if (!e.items.every(Number.isFinite)) throw new ContractTypeError({ shortMessage: `number out of range`, ...at(e.pos) })
        return note(e, plainV(e.items.length, [Math.min(...e.items), Math.max(...e.items)], e.items.every(Number.isInteger)))
      }
      case 'var': {
        const v = env.get(e.name)
        if (!v) throw new ContractTypeError({ shortMessage: `unknown name "${e.name}"`, ...at(e.pos) })
        return note(e, { ...v, free: undefined })
      }
      case 'neg': {
        const a = visit(e.a)
        return note(e, { ...a, range: [-a.range[1], -a.range[0]], noise: a.noise })
      }
      case 'bin': {
        const a = visit(e.a)
        const b = visit(e.b)
        const length = sameShape(a, b, e.pos, e.op)
        const enc = a.enc || b.enc
        if (e.op === '+' || e.op === '-') {
          const range: Range = e.op === '+' ? [a.range[0] + b.range[0], a.range[1] + b.range[1]] : [a.range[0] - b.range[1], a.range[1] - b.range[0]]
          const tidy = length === 0 ? a.tidy && b.tidy : (a.length ? a.tidy : true) && (b.length ? b.tidy : true) && (a.length === 0 ? !a.enc && a.range[0] === 0 && a.range[1] === 0 : true) && (b.length === 0 ? !b.enc && b.range[0] === 0 && b.range[1] === 0 : true)
          return note(e, { enc, length, range, ...(enc ? join(a, b) : { depth: 0, scale: BASE_SCALE, exact: true }), noise: a.noise + b.noise + (enc ? 1 : 0), approx: a.approx + b.approx, tidy: length === 0 ? tidy : tidy || !enc, integer: a.integer && b.integer })
        }
        if (e.op === '/') {
          if (b.enc) throw new ContractTypeError({ shortMessage: 'division by an encrypted value: use inverse(x) in [lo, hi]', ...at(e.pos) })
          if (b.length) throw new ContractTypeError({ shortMessage: 'division by a vector is not supported', ...at(e.pos) })
          if (b.range[0] <= 0 && b.range[1] >= 0) throw new ContractRangeError({ shortMessage: `divisor may be zero (range [${fmt(b.range[0])}, ${fmt(b.range[1])}])`, ...at(e.pos) })
          if (enc) uses.divide = true
          const inv: Range = [1 / b.range[1], 1 / b.range[0]]
          const m = mag(inv)
          return note(e, { enc, length, range: mulRange(a.range, inv), depth: a.depth + (enc ? 1 : 0), scale: a.scale, exact: a.exact, free: enc ? e : undefined, noise: m * a.noise + (enc ? 1 + mag(a.range) * m : 0), approx: m * a.approx, tidy: a.tidy, integer: false })
        }
        // '*'
        if (a.enc && b.enc) uses.encMul = true
        const range = mulRange(a.range, b.range)
        const tidy = length === 0 ? a.tidy && b.tidy : (a.length > 0 && a.tidy) || (b.length > 0 && b.tidy) || !enc
        const level = a.enc && b.enc ? product(a, b) : enc ? { depth: (a.enc ? a : b).depth + 1, scale: (a.enc ? a : b).scale, exact: (a.enc ? a : b).exact, free: e } : { depth: 0, scale: BASE_SCALE, exact: true }
        return note(e, { enc, length, range, ...level, noise: mag(a.range) * b.noise + mag(b.range) * a.noise + (enc ? 1 + mag(range) : 0), approx: mag(a.range) * b.approx + mag(b.range) * a.approx + a.approx * b.approx, tidy, integer: a.integer && b.integer })
      }
      case 'pow': {
        const a = visit(e.a)
        if (!Number.isSafeInteger(e.n) || e.n < 1 || e.n > 64) throw new ContractTypeError({ shortMessage: `exponent must be an integer in [1, 64], got ${e.n}`, ...at(e.pos) })
        if (a.enc && e.n > 1) uses.encMul = true
        const range = powRange(a.range, e.n)
        const m = mag(a.range)
        const lip = e.n * Math.max(1, m) ** (e.n - 1)
        return note(e, { ...a, range, ...(a.enc ? power(a, e.n) : {}), free: a.enc && e.n === 1 ? a.free : undefined, noise: lip * a.noise + (a.enc ? e.n * (1 + mag(range)) : 0), approx: lip * a.approx * 1.01, tidy: a.tidy })
      }
      case 'if': {
        const c = visit(e.cond)
        if (c.enc) throw new ContractLeakError({ shortMessage: 'branch on an encrypted value: "if" needs a plain condition', details: 'compute both sides and select arithmetically: let s = (a > b) in [lo, hi]; s * x + (1 - s) * y', ...at(e.cond.pos) })
        if (c.length) throw new ContractTypeError({ shortMessage: '"if" condition must be a scalar', ...at(e.cond.pos) })
        const a = visit(e.then)
        const b = visit(e.else)
        if (a.length !== b.length) throw new ContractTypeError({ shortMessage: `"if" branches have different sizes (${a.length} and ${b.length})`, ...at(e.pos) })
        if (a.enc !== b.enc) throw new ContractTypeError({ shortMessage: '"if" branches must both be encrypted or both plain', ...at(e.pos) })
        return note(e, { enc: a.enc, length: a.length, range: [Math.min(a.range[0], b.range[0]), Math.max(a.range[1], b.range[1])], depth: Math.max(a.depth, b.depth), ...(a.enc && (!sameScale(a.scale, b.scale) || a.depth !== b.depth || !a.exact || !b.exact) ? { scale: unknownScale(), exact: false } : { scale: a.scale, exact: a.exact }), noise: Math.max(a.noise, b.noise), approx: Math.max(a.approx, b.approx), tidy: a.tidy && b.tidy, integer: a.integer && b.integer })
      }
      case 'cmp': {
        const a = visit(e.a)
        const b = visit(e.b)
        const length = sameShape(a, b, e.pos, e.op)
        if (!a.enc && !b.enc) return note(e, plainV(length, [0, 1], true))
        const t: ValueInfo = { enc: true, length, range: e.op === '>' ? [a.range[0] - b.range[1], a.range[1] - b.range[0]] : [b.range[0] - a.range[1], b.range[1] - a.range[0]], ...join(a, b), free: undefined, noise: a.noise + b.noise + 1, approx: a.approx + b.approx, tidy: a.tidy && b.tidy, integer: false }
        return note(e, approxInfo(e, 'step', t, e.range, e.degree, e.pos, `comparison "${e.op}"`))
      }
      case 'call':
        return note(e, visitCall(e))
    }
  }

  const visitCall = (e: Extract<Expr, { kind: 'call' }>): ValueInfo => {
    const arity = (n: number) => {
      if (e.args.length !== n) throw new ContractTypeError({ shortMessage: `${e.fn} takes ${n} argument${n > 1 ? 's' : ''}, got ${e.args.length}`, ...at(e.pos) })
    }
    const noSuffix = () => {
      if (e.range) throw new ContractTypeError({ shortMessage: `${e.fn} takes no range`, ...at(e.pos) })
    }
    if (APPROX.has(e.fn)) {
      arity(1)
      const a = visit(e.args[0]!)
      if (!a.enc) {
        if (e.fn === 'sqrt' && a.range[0] < 0) throw new ContractRangeError({ shortMessage: 'sqrt of a value that may be negative', ...at(e.pos) })
        if (e.fn === 'inverse' && a.range[0] <= 0 && a.range[1] >= 0) throw new ContractRangeError({ shortMessage: 'inverse of a value that may be zero', ...at(e.pos) })
        const g = e.fn === 'sigmoid' ? (x: number) => 1 / (1 + Math.exp(-x)) : e.fn === 'tanh' ? Math.tanh : e.fn === 'sqrt' ? Math.sqrt : (x: number) => 1 / x
        const ends = [g(a.range[0]), g(a.range[1])]
        return plainV(a.length, [Math.min(...ends), Math.max(...ends)], false)
      }
      return approxInfo(e, e.fn, a, e.range, e.degree, e.pos, e.fn)
    }
    switch (e.fn) {
      case 'sum':
      case 'mean': {
        arity(1)
        noSuffix()
        const a = visit(e.args[0]!)
        if (!a.length) throw new ContractTypeError({ shortMessage: `${e.fn} needs a vector`, ...at(e.pos) })
        const n = a.length
        if (a.enc) uses.rotations = true
        const k = e.fn === 'mean' ? 1 / n : 1
        const masked = a.enc && !a.tidy ? 1 : 0
        const steps = Math.log2(nextPow2(n))
        const range: Range = [a.range[0] * n * k, a.range[1] * n * k]
        return { enc: a.enc, length: 0, range, depth: a.depth + masked + (a.enc && e.fn === 'mean' ? 1 : 0), scale: a.scale, exact: a.exact, free: a.enc && e.fn === 'mean' ? e : undefined, noise: (a.noise * n + (steps + 2) * (1 + mag(a.range) * n)) * Math.max(k, k === 1 ? 1 : k) + (a.enc ? 2 : 0), approx: a.approx * n * k, tidy: !a.enc, integer: a.integer && e.fn === 'sum' }
      }
      case 'dot': {
        arity(2)
        noSuffix()
        const a = visit(e.args[0]!)
        const b = visit(e.args[1]!)
        if (!a.length || !b.length) throw new ContractTypeError({ shortMessage: 'dot needs two vectors', ...at(e.pos) })
        if (a.length !== b.length) throw new ContractTypeError({ shortMessage: `dot of vectors of different sizes (${a.length} and ${b.length})`, ...at(e.pos) })
        const enc = a.enc || b.enc
        if (a.enc && b.enc) uses.encMul = true
        if (enc) uses.rotations = true
        const n = a.length
        const p = mulRange(a.range, b.range)
        const steps = Math.log2(nextPow2(n))
        const noise = n * (mag(a.range) * b.noise + mag(b.range) * a.noise + 1 + mag(p)) + (steps + 1) * (1 + n * mag(p))
        const mask = enc && !((a.length > 0 && a.tidy) || (b.length > 0 && b.tidy)) ? 1 : 0
        const encOne = a.enc ? a : b
        const level = a.enc && b.enc ? product(a, b) : enc ? { depth: encOne.depth + 1, scale: encOne.scale, exact: encOne.exact, free: mask ? undefined : e } : { depth: 0, scale: BASE_SCALE, exact: true }
        return { enc, length: 0, range: [p[0] * n, p[1] * n], ...level, depth: level.depth + mask, noise, approx: n * (mag(a.range) * b.approx + mag(b.range) * a.approx), tidy: !enc, integer: a.integer && b.integer }
      }
      case 'poly': {
        arity(2)
        noSuffix()
        const a = visit(e.args[0]!)
        const cs = e.args[1]!
        if (cs.kind !== 'vec') throw new ContractTypeError({ shortMessage: 'poly(x, [c0, c1, ...]) takes a list of numeric coefficients', ...at(cs.pos) })
        if (cs.items.length > 33) throw new ContractTypeError({ shortMessage: 'poly degree above 32', ...at(cs.pos) })
        note(cs, plainV(cs.items.length, [Math.min(...cs.items), Math.max(...cs.items)], cs.items.every(Number.isInteger)))
        const d = cs.items.length - 1
        if (a.enc && d > 1) uses.encMul = true
        let range: Range = [cs.items[0]!, cs.items[0]!]
        let lip = 0
        const m = mag(a.range)
        for (let i = 1; i <= d; i++) {
          const r = mulRange(powRange(a.range, i), [cs.items[i]!, cs.items[i]!])
          range = [range[0] + r[0], range[1] + r[1]]
          lip += i * Math.abs(cs.items[i]!) * Math.max(1, m) ** (i - 1)
        }
        const l1 = cs.items.reduce((s, c) => s + Math.abs(c) * Math.max(1, m) ** d, 0)
        return { enc: a.enc, length: a.length, range, depth: a.depth + (a.enc ? polyvalLevels(cs.items) : 0), scale: a.enc && polyvalRescales(cs.items) ? BASE_SCALE : a.scale, exact: a.exact, free: undefined, noise: lip * a.noise + (a.enc ? (d + 2) * (1 + l1) : 0), approx: lip * a.approx, tidy: a.length ? a.tidy && cs.items[0] === 0 : a.tidy, integer: a.integer && cs.items.every(Number.isInteger) }
      }
      case '(range)':
        throw new ContractTypeError({ shortMessage: 'a declared range "in [lo, hi]" applies only to a comparison or to sigmoid, tanh, sqrt, inverse', ...at(e.pos) })
      default:
        throw new ContractTypeError({ shortMessage: `unknown function "${e.fn}"`, details: 'functions: sum, mean, dot, poly, sigmoid, tanh, sqrt, inverse', ...at(e.pos) })
    }
  }

  const seen = new Set<string>()
  const bind = (s: Stmt) => {
    if (seen.has(s.name)) throw new ContractTypeError({ shortMessage: `"${s.name}" is already defined`, ...at(s.pos) })
    seen.add(s.name)
  }
  for (const s of ast.statements) {
    if (s.kind === 'input') {
      bind(s)
      const { type } = s
      if (type.length && (!Number.isSafeInteger(type.length) || type.length < 1 || type.length > MAX_VECTOR)) throw new ContractTypeError({ shortMessage: `vector size must be an integer in [1, ${MAX_VECTOR}], got ${type.length}`, ...at(s.pos) })
      if (!s.range) throw new ContractTypeError({ shortMessage: `input "${s.name}" needs a declared range: "input ${s.name}: ... in [lo, hi]"`, ...at(s.pos) })
      const range = checkRange(s.range, `input "${s.name}"`, s.pos)
      if (type.base === 'int' && !(Number.isInteger(range[0]) && Number.isInteger(range[1]))) throw new ContractTypeError({ shortMessage: `int input "${s.name}" needs an integer range`, ...at(s.pos) })
      maxLen = Math.max(maxLen, type.length)
      inputs.push({ name: s.name, enc: s.enc, type, range })
      env.set(s.name, { enc: s.enc, length: type.length, range, depth: 0, noise: s.enc ? 1 + mag(range) : 0, approx: 0, tidy: true, integer: type.base === 'int', scale: BASE_SCALE, exact: true })
      if (s.enc) maxMagnitude = Math.max(maxMagnitude, mag(range))
    } else if (s.kind === 'let') {
      bind(s)
      env.set(s.name, visit(s.expr))
    } else {
      bind(s)
      const v = visit(s.expr)
      if (s.plain && v.enc) throw new ContractLeakError({ shortMessage: `output "${s.name}" is declared plain but depends on encrypted inputs`, details: 'an encrypted value may only leave as an encrypted output (drop "plain")', ...at(s.pos) })
      env.set(s.name, v)
      outputs.push({ name: s.name, plain: s.plain, info: v })
    }
  }
  if (outputs.length === 0) throw new ContractTypeError({ shortMessage: 'a contract needs at least one output statement', line: 1, column: 1 })
  return { ast, inputs, outputs, info, approximations, depth, maxMagnitude, blockSize: nextPow2(maxLen), uses, retarget }
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString()
}
