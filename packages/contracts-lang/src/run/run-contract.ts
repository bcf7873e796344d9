/**
 * @module run/run-contract
 * The server side: evaluate a compiled CKKS contract on ciphertexts with the caller's evaluation
 * keys, through `@krain/he`'s `CkksVector` operations only. Layout: every sample owns a block of
 * `plan.blockSize` slots; a scalar input fills its block, a vector input sits at the block's start
 * with zero padding, so `sum` is a rotate-and-add over the block (Galois steps 1, 2, 4, …) and
 * leaves the total at the block's first slot. The server never sees a plaintext of an encrypted input.
 */
import { CkksVector, type EvaluationKeys } from '@krain/he'
import { ContractInputError, ContractUnsupportedError } from '../errors.js'
import type { CompiledContract } from '../compile/compile-contract.js'
import type { ValueInfo } from '../check/check-contract.js'
import type { Expr } from '../syntax/ast.js'
import { checkInputValue, map, zip, type PlainValue } from './values.js'
import { targetFunction } from '../check/approximations.js'
import { BASE_SCALE, scaleValue } from '../check/scale-algebra.js'
import { polyvalSparse } from './poly-eval.js'

/** Parameters of {@link runContract}. */
export type RunContractParameters = {
  compiled: CompiledContract
  /** Ciphertext bytes (or base64) per encrypted input, as made by `ContractClient.encryptInputs`. */
  inputs: Record<string, Uint8Array | string>
  /** Values of the plain inputs (the same for every sample of the batch). */
  plain?: Record<string, PlainValue>
  /** The caller's evaluation keys (`loadEvaluationKeys(bundle, { expectParams: plan.params })`). */
  evalKeys: EvaluationKeys
}

/** Result of {@link runContract}. */
export type RunContractReturnType = {
  /** Ciphertext bytes per encrypted output. */
  outputs: Record<string, Uint8Array>
  /** Values of plain outputs. */
  plain: Record<string, PlainValue>
  /** Levels the evaluation consumed (equals `compiled.program.depth` for a program without a data-dependent `if`). */
  depthUsed: number
}

type Val = { enc: CkksVector; info: ValueInfo } | { plain: PlainValue; info: ValueInfo }

/**
 * Evaluate a compiled contract on encrypted inputs.
 * @param p - compiled contract, ciphertexts, plain inputs, evaluation keys
 * @returns encrypted outputs (bytes) and plain outputs
 * @throws {ContractInputError} missing/malformed inputs or keys for other parameters
 * @throws {ContractUnsupportedError} for a BFV or Paillier plan (compile with `{ scheme: 'ckks' }`)
 */
export function runContract(p: RunContractParameters): RunContractReturnType {
  const { compiled, evalKeys } = p
  const { plan, program } = compiled
  if (plan.scheme !== 'ckks' || !plan.params) throw new ContractUnsupportedError({ shortMessage: `no executor for ${plan.scheme} plans in this version`, details: "compile with { scheme: 'ckks' }" })
  if (JSON.stringify(evalKeys.ctx.params) !== JSON.stringify(plan.params)) throw new ContractInputError({ shortMessage: 'evaluation keys were made for other parameters than the plan' })
  for (const s of plan.galoisSteps) if (!evalKeys.galoisSteps.has(s)) throw new ContractInputError({ shortMessage: `evaluation keys lack the Galois key for step ${s}` })
  if (plan.relin && !evalKeys.relinKeys) throw new ContractInputError({ shortMessage: 'evaluation keys lack relinearisation keys' })
  const slots = evalKeys.ctx.slotCount
  const block = plan.blockSize
  const owned: CkksVector[] = []
  const top = evalKeys.ctx.topLevel
  let minLevel = top
  const own = (v: CkksVector) => {
    owned.push(v)
    minLevel = Math.min(minLevel, v.level)
    return v
  }
  const { ctx } = evalKeys
  // a plaintext product that lands on the scale the checker chose for it (see check/scale-algebra)
  const mulPlain = (v: CkksVector, k: number | number[], e: Expr): CkksVector => {
    const want = program.retarget.get(e)
    const target = want && scaleValue(want, ctx)
    if (target === undefined) return own(v.multiply(k))
    const ct = v.ciphertext
    const level = v.level
    if (level === 0) return own(v.multiply(k)) // @krain/he raises its depth error
    const arr = new Float64Array(slots)
    if (typeof k === 'number') arr.fill(k)
    else arr.set(k)
    const pt = ctx.seal.PlainText()
    const out = ctx.seal.CipherText()
    try {
      ctx.encoder.encode(arr, (target * ctx.primes[level]!) / ct.scale, pt)
      if (level < top) ctx.evaluator.plainModSwitchTo(pt, ctx.parmsIds[level]!, pt)
      ctx.evaluator.multiplyPlain(ct, pt, out)
      ctx.evaluator.rescaleToNext(out, out)
    } catch (cause) {
      out.delete()
      throw new ContractInputError({ shortMessage: 'a plaintext product failed under these keys', cause })
    } finally {
      pt.delete()
    }
    return own(new CkksVector(evalKeys, out, v.length))
  }
  // SEAL refuses a product with an all-zero plaintext (transparent result): use a value that
  // encodes to a few units instead, far below the plan's error bound
  const tiny = 2 ** -(plan.params.scaleBits - 4)
  const slotsOf = (v: PlainValue): number | number[] => {
    if (typeof v === 'number') return v === 0 ? tiny : v
    if (v.every((x) => x === 0)) v = [tiny, ...v.slice(1)]
    const out = new Array<number>(slots).fill(0)
    for (let k = 0; k < slots; k += block) for (let i = 0; i < v.length; i++) out[k + i] = v[i]!
    return out
  }
  const maskOf = (n: number) => slotsOf(new Array<number>(n).fill(1))
  const env = new Map<string, Val>()
  try {
    for (const i of program.inputs) {
      const info: ValueInfo = { enc: i.enc, length: i.type.length, range: i.range, depth: 0, noise: 0, approx: 0, tidy: true, integer: false, scale: BASE_SCALE, exact: true }
      if (i.enc) {
        const bytes = p.inputs?.[i.name]
        if (bytes === undefined) throw new ContractInputError({ shortMessage: `missing encrypted input "${i.name}"` })
        env.set(i.name, { enc: own(CkksVector.load(evalKeys, bytes, slots)), info })
      } else {
        if (!p.plain || !(i.name in p.plain)) throw new ContractInputError({ shortMessage: `missing plain input "${i.name}"` })
        env.set(i.name, { plain: checkInputValue(i, p.plain[i.name]), info })
      }
    }
    const blockSum = (v: CkksVector, tidy: boolean, n: number): CkksVector => {
      let acc = tidy ? v : own(v.multiply(maskOf(n)))
      for (let s = 1; s < block; s *= 2) {
        const r = own(acc.rotate(s))
        acc = own(acc.add(r))
      }
      return acc
    }
    const powers = new Map<string, CkksVector>()
    const pow = (x: CkksVector, key: string, n: number): CkksVector => {
      if (n === 1) return x
      const k = `${key}^${n}`
      const hit = powers.get(k)
      if (hit) return hit
      const hi = 2 ** Math.floor(Math.log2(n))
      const out = hi === n ? own(pow(x, key, n / 2).square()) : own(pow(x, key, hi).multiply(pow(x, key, n - hi)))
      powers.set(k, out)
      return out
    }
    const approx = (x: CkksVector, e: Expr): CkksVector => {
      const a = program.approximations.get(e)!
      if (a.folded) return own(polyvalSparse(x, a.folded, evalKeys))
      const scaled = a.alpha === 1 ? x : own(x.multiply(a.alpha))
      const u = a.beta === 0 ? scaled : own(scaled.add(a.beta))
      return own(polyvalSparse(u, a.coefficients, evalKeys))
    }
    let uid = 0
    const ev = (e: Expr): Val => {
      const info = program.info.get(e)!
      const mk = (v: CkksVector | PlainValue): Val => (v instanceof CkksVector ? { enc: v, info } : { plain: v, info })
      switch (e.kind) {
        case 'num':
          return mk(e.value)
        case 'vec':
          return mk(e.items)
        case 'var':
          return env.get(e.name)!
        case 'neg': {
          const a = ev(e.a)
          return 'enc' in a ? mk(own(a.enc.negate())) : mk(map(a.plain, (x) => -x))
        }
        case 'bin': {
          const a = ev(e.a)
          const b = ev(e.b)
          if (!('enc' in a) && !('enc' in b)) return mk(zip(a.plain, b.plain, e.op === '+' ? (x, y) => x + y : e.op === '-' ? (x, y) => x - y : e.op === '*' ? (x, y) => x * y : (x, y) => x / y))
          if (e.op === '/') return mk(mulPlain((a as { enc: CkksVector }).enc, map((b as { plain: PlainValue }).plain, (y) => 1 / y) as number, e))
          const A = 'enc' in a ? a.enc : slotsOf(a.plain)
          const B = 'enc' in b ? b.enc : slotsOf(b.plain)
          if (A instanceof CkksVector) {
            if (e.op === '+') return mk(own(A.add(B)))
            if (e.op === '-') return mk(own(A.sub(B)))
            return mk(B instanceof CkksVector ? own(A.multiply(B)) : mulPlain(A, B, e))
          }
          const Bv = B as CkksVector
          if (e.op === '+') return mk(own(Bv.add(A)))
          if (e.op === '*') return mk(mulPlain(Bv, A, e))
          return mk(own(own(Bv.sub(A)).negate()))
        }
        case 'pow': {
          const a = ev(e.a)
          if (!('enc' in a)) return mk(map(a.plain, (x) => x ** e.n))
          return mk(pow(a.enc, `#${uid++}`, e.n))
        }
        case 'if': {
          const c = ev(e.cond) as { plain: PlainValue }
          return c.plain !== 0 ? ev(e.then) : ev(e.else)
        }
        case 'cmp': {
          const a = ev(e.a)
          const b = ev(e.b)
          if (!('enc' in a) && !('enc' in b)) return mk(zip(a.plain, b.plain, e.op === '>' ? (x, y) => (x > y ? 1 : 0) : (x, y) => (x < y ? 1 : 0)))
          const [L, R] = e.op === '>' ? [a, b] : [b, a]
          let t: CkksVector
          if ('enc' in L) t = own(L.enc.sub('enc' in R ? R.enc : slotsOf(R.plain)))
          else t = own(own((R as { enc: CkksVector }).enc.sub(slotsOf(L.plain))).negate())
          return mk(approx(t, e))
        }
        case 'call': {
          const args = e.fn === 'poly' ? [ev(e.args[0]!)] : e.args.map(ev)
          const a = args[0]!
          switch (e.fn) {
            case 'sum':
            case 'mean': {
              if (!('enc' in a)) {
                const v = a.plain as number[]
                const s = v.reduce((x, y) => x + y, 0)
                return mk(e.fn === 'sum' ? s : s / v.length)
              }
              const s = blockSum(a.enc, a.info.tidy, a.info.length)
              return mk(e.fn === 'sum' ? s : mulPlain(s, 1 / a.info.length, e))
            }
            case 'dot': {
              const b = args[1]!
              if (!('enc' in a) && !('enc' in b)) return mk((a.plain as number[]).reduce((s, x, i) => s + x * (b.plain as number[])[i]!, 0))
              const prod = 'enc' in a ? ('enc' in b ? own(a.enc.multiply(b.enc)) : mulPlain(a.enc, slotsOf(b.plain), e)) : mulPlain((b as { enc: CkksVector }).enc, slotsOf(a.plain), e)
              const tidy = ('enc' in a ? a.info.tidy : true) || ('enc' in b ? b.info.tidy : true)
              return mk(blockSum(prod, tidy, a.info.length))
            }
            case 'poly': {
              const cs = (e.args[1] as Extract<Expr, { kind: 'vec' }>).items
              if (!('enc' in a)) return mk(map(a.plain, (x) => cs.reduceRight((s, c) => s * x + c, 0)))
              return mk(own(a.enc.polyval(cs)))
            }
            default: {
              if (!('enc' in a)) return mk(map(a.plain, targetFunction(e.fn, [0, 1], 1)))
              return mk(approx(a.enc, e))
            }
          }
        }
      }
    }
    const outputs: Record<string, Uint8Array> = {}
    const plain: Record<string, PlainValue> = {}
    for (const s of program.ast.statements) {
      if (s.kind === 'input') continue
      const v = ev(s.expr)
      env.set(s.name, v)
      if (s.kind === 'output') {
        if ('enc' in v) outputs[s.name] = v.enc.serialize()
        else plain[s.name] = v.plain
      }
    }
    return { outputs, plain, depthUsed: top - minLevel }
  } catch (e) {
    const x = e as { code?: unknown; details?: unknown }
    if (x?.code === 'HE_SEAL' && typeof x.details === 'string' && x.details.includes('transparent')) {
      throw new ContractUnsupportedError({ shortMessage: 'the program cancels an encrypted value out (e.g. x - x): the result would be a public constant, which CKKS cannot return as a ciphertext', details: 'simplify the expression', cause: e })
    }
    throw e
  } finally {
    for (const v of owned.reverse()) v.dispose()
  }
}
