/**
 * @module run/poly-eval
 * Power-basis polynomial evaluation on a CKKS vector that computes only the powers its terms use.
 * Each term is `c_i·x^i = (c_i·x^lo)·x^hi` with `hi` the largest power of two below `i` (`i/2` for
 * a power of two), exactly as `CkksVector.polyval` forms it (same depth, each term landing on the
 * context's scale), but `CkksVector.polyval` builds every power 2..d first; an odd approximation of
 * degree 15 needs only x², x³, x⁴, x⁵, x⁷, x⁸, so this saves 8 of 21 ciphertext products.
 */
import { CkksVector, type EvaluationKeys } from '@krain/he'
import { ContractInputError } from '../errors.js'

type Ct = CkksVector['ciphertext']

const split = (i: number): [number, number] => {
  const p2 = 2 ** Math.floor(Math.log2(i))
  const hi = p2 === i ? i / 2 : p2
  return [hi, i - hi]
}

/**
 * Evaluate `Σ c_i·x^i` on `x` (a new vector, owned by the caller).
 * @param x - the encrypted argument
 * @param coefficients - power-basis coefficients c_0..c_d
 * @param keys - evaluation keys with relinearisation keys
 * @returns the encrypted polynomial value at the context's scale
 * @throws {ContractInputError} when SEAL refuses an operation under these keys
 */
export function polyvalSparse(x: CkksVector, coefficients: readonly number[], keys: EvaluationKeys): CkksVector {
  let d = coefficients.length - 1
  while (d > 0 && coefficients[d] === 0) d--
  if (d <= 1 || !keys.relinKeys) return x.polyval([...coefficients])
  const { ctx } = keys
  const rk = keys.relinKeys
  const levelOf = (c: Ct) => c.coeffModulusSize - 1
  const temps: { delete(): void }[] = []
  const fresh = (): Ct => {
    const c = ctx.seal.CipherText()
    temps.push(c)
    return c
  }
  const dropTo = (c: Ct, level: number) => {
    if (levelOf(c) > level) ctx.evaluator.cipherModSwitchTo(c, ctx.parmsIds[level]!, c)
  }
  const mulCipher = (a: Ct, b: Ct, dest: Ct) => {
    let [p, q] = [a, b]
    if (levelOf(a) !== levelOf(b)) {
      const level = Math.min(levelOf(a), levelOf(b))
      p = a.clone()
      q = b.clone()
      temps.push(p, q)
      dropTo(p, level)
      dropTo(q, level)
    }
    if (p === q) ctx.evaluator.square(p, dest)
    else ctx.evaluator.multiply(p, q, dest)
    ctx.evaluator.relinearize(dest, rk, dest)
    ctx.evaluator.rescaleToNext(dest, dest)
  }
  const mulPlainTo = (ct: Ct, c: number, dest: Ct, targetScale: number) => {
    const l = levelOf(ct)
    const pt = ctx.seal.PlainText()
    temps.push(pt)
    ctx.encoder.encode(new Float64Array(ctx.slotCount).fill(c), (targetScale * ctx.primes[l]!) / ct.scale, pt)
    if (l < ctx.topLevel) ctx.evaluator.plainModSwitchTo(pt, ctx.parmsIds[l]!, pt)
    ctx.evaluator.multiplyPlain(ct, pt, dest)
    ctx.evaluator.rescaleToNext(dest, dest)
  }
  const powers = new Map<number, Ct>([[1, x.ciphertext]])
  const power = (i: number): Ct => {
    let p = powers.get(i)
    if (!p) {
      const [hi, lo] = split(i)
      p = fresh()
      mulCipher(power(hi), power(lo), p)
      powers.set(i, p)
    }
    return p
  }
  const out = ctx.seal.CipherText()
  try {
    const target = ctx.scale
    const terms: Ct[] = []
    for (let i = 1; i <= d; i++) {
      const c = coefficients[i]!
      if (c === 0) continue
      const t = fresh()
      if (i === 1) mulPlainTo(x.ciphertext, c, t, target)
      else {
        const [hi, lo] = split(i)
        const xh = power(hi)
        const xl = power(lo)
        const finalLevel = Math.min(levelOf(xl) - 1, levelOf(xh))
        const cx = fresh()
        mulPlainTo(xl, c, cx, (target * ctx.primes[finalLevel]!) / xh.scale)
        mulCipher(cx, xh, t)
      }
      terms.push(t)
    }
    const level = Math.min(...terms.map(levelOf))
    out.copy(terms[0]!)
    dropTo(out, level)
    for (const t of terms.slice(1)) {
      dropTo(t, level)
      t.setScale(out.scale)
      ctx.evaluator.add(out, t, out)
    }
    if (coefficients[0] !== 0) {
      const pt = ctx.seal.PlainText()
      temps.push(pt)
      ctx.encoder.encode(new Float64Array(ctx.slotCount).fill(coefficients[0]!), out.scale, pt)
      if (level < ctx.topLevel) ctx.evaluator.plainModSwitchTo(pt, ctx.parmsIds[level]!, pt)
      ctx.evaluator.addPlain(out, pt, out)
    }
  } catch (cause) {
    out.delete()
    throw new ContractInputError({ shortMessage: 'the polynomial evaluation failed under these keys', cause })
  } finally {
    for (const t of temps) t.delete()
  }
  return new CkksVector(keys, out, x.length)
}
