/**
 * @module ckks/chebyshev
 * Evaluate p(x) = Σ c_i T_i(x) on a CKKS ciphertext whose values lie in [−1, 1], with
 * coefficients that are scalars or per-slot vectors (one polynomial per neuron).
 *
 * Method: a product tree of Chebyshev polynomials (no Paterson–Stockmeyer): T_{2k} = 2T_k² − 1 and
 * T_{h+l} = 2·T_h·T_l − T_{h−l} with h the largest power of two below the index, so T_i is reached
 * with ⌈log2 i⌉ ciphertext products in depth; each c_i·T_i is then one plaintext product, rescaled
 * onto the same target scale, and the terms are summed. Depth ⌈log2 d⌉ + 1, d − 1 ciphertext
 * products, d plaintext products. Staying in the Chebyshev basis keeps every intermediate in
 * [−1, 1] (no large monomial coefficients, no cancellation).
 *
 * Scales: after a product the scale is s_a·s_b/q, which drifts from the input's (SEAL's primes are
 * only close to 2^s). Nothing is forced: the subtracted T_{h−l} is first multiplied by 1 with the
 * plaintext scale that lands it exactly on the product's scale (a plaintext product on a shallower
 * operand, so no extra depth), and every c_i·T_i lands on the same target scale. Scales that still
 * differ by more than rounding are refused.
 */
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeScaleError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import type { Scope } from '../seal/scope.js'
import { encodeAt, levelOf } from './ckks-context.js'
import { dropTo, mulCipher, mulPlainTo, type CkksKeys } from './ops.js'

const SCALE_TOLERANCE = 1e-9

function matchScale(a: CipherText, scale: number): void {
  if (Math.abs(a.scale / scale - 1) > SCALE_TOLERANCE) throw new HeScaleError({ shortMessage: 'Chebyshev evaluation: operand scales drifted apart', details: `${a.scale} vs ${scale}` })
  a.setScale(scale)
}

function isZero(c: number | Float64Array): boolean {
  return typeof c === 'number' ? c === 0 : c.every((v) => v === 0)
}

/**
 * `dest = Σ coefficients[i]·T_i(x)` (see the module notes); `x` is borrowed, temporaries go to `scope`.
 * @internal trusted input: the caller checked that `x` has ⌈log2 d⌉ + 1 levels and values in [−1, 1]
 */
export function evalChebyshev(keys: CkksKeys, x: CipherText, coefficients: (number | Float64Array)[], dest: CipherText, scope: Scope): void {
  const { ctx } = keys
  const ev = ctx.evaluator
  const d = coefficients.length - 1
  const T: CipherText[] = []
  T[1] = x
  for (let i = 2; i <= d; i++) {
    const hi = 2 ** Math.floor(Math.log2(i))
    const p = scope.track(ctx.seal.CipherText())
    if (hi === i) {
      mulCipher(keys, T[i / 2]!, T[i / 2]!, p, scope)
      sealCall('double', () => ev.add(p, p, p))
      const one = scope.track(encodeAt(ctx, 1, levelOf(p), p.scale))
      sealCall('subtract one', () => ev.subPlain(p, one, p))
    } else {
      const lo = i - hi
      mulCipher(keys, T[hi]!, T[lo]!, p, scope)
      sealCall('double', () => ev.add(p, p, p))
      const prev = scope.track(ctx.seal.CipherText())
      mulPlainTo(ctx, T[hi - lo]!, 1, prev, scope, p.scale)
      dropTo(ctx, prev, levelOf(p))
      matchScale(prev, p.scale)
      sealCall('subtract', () => ev.sub(p, prev, p))
    }
    T[i] = p
  }
  const target = ctx.scale
  const terms: CipherText[] = []
  for (let i = 1; i <= d; i++) {
    const c = coefficients[i]!
    if (isZero(c)) continue
    const t = scope.track(ctx.seal.CipherText())
    mulPlainTo(ctx, T[i]!, c, t, scope, target)
    terms.push(t)
  }
  if (terms.length === 0) {
    const t = scope.track(ctx.seal.CipherText())
    mulPlainTo(ctx, x, 0, t, scope, target)
    terms.push(t)
  }
  const level = Math.min(...terms.map(levelOf))
  dest.copy(terms[0]!)
  dropTo(ctx, dest, level)
  for (const t of terms.slice(1)) {
    dropTo(ctx, t, level)
    matchScale(t, dest.scale)
    sealCall('sum the polynomial terms', () => ev.add(dest, t, dest))
  }
  if (!isZero(coefficients[0]!)) {
    const c0 = scope.track(encodeAt(ctx, coefficients[0]!, level, dest.scale))
    sealCall('add the constant term', () => ev.addPlain(dest, c0, dest))
  }
}
