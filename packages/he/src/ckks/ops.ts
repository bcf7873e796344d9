/**
 * @module ckks/ops
 * Internal CKKS building blocks on raw SEAL ciphertexts (trusted input; callers validate):
 * rotations with a Galois-key check, multiplication by plaintext with the scale chosen so that the
 * rescale lands on a target scale, level/scale alignment, and the matrix-vector product by the
 * diagonal method with baby-step giant-step rotations (Halevi–Shoup 2014, "Algorithms in HElib";
 * the rectangular "hybrid" variant of Juvekar et al., GAZELLE, USENIX Security 2018).
 *
 * Vectors are laid out periodically: a vector of length `len` is padded to a power of two `P` and
 * repeated across all N/2 slots, so a cyclic rotation of the whole ciphertext is a cyclic rotation
 * of the vector. Every product with a plaintext is encoded at scale `q_l` (the prime the following
 * rescale removes), so linear layers keep the input's scale exactly.
 */
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import type { GaloisKeys } from 'node-seal/implementation/galois-keys.js'
import type { PlainText } from 'node-seal/implementation/plain-text.js'
import type { RelinKeys } from 'node-seal/implementation/relin-keys.js'
import { HeDepthError, HeMissingKeyError, HeScaleError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import type { Scope } from '../seal/scope.js'
import { encodeAt, levelOf, type CkksContext } from './ckks-context.js'

/** What CKKS operations need: a context and (optionally) evaluation keys. */
export type CkksKeys = {
  readonly ctx: CkksContext
  readonly relinKeys: RelinKeys | undefined
  readonly galoisKeys: GaloisKeys | undefined
  readonly galoisSteps: ReadonlySet<number>
}

/** Smallest power of two ≥ n. */
export function nextPow2(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

/** Repeat `values` (zero-padded to `period`) across `slots` slots. */
export function tile(values: ArrayLike<number>, period: number, slots: number): Float64Array {
  const out = new Float64Array(slots)
  for (let base = 0; base < slots; base += period) for (let i = 0; i < values.length; i++) out[base + i] = values[i]!
  return out
}

/** Rotate left by `step` slots into `dest` (which may be `ct`). */
export function rotate(keys: CkksKeys, ct: CipherText, step: number, dest: CipherText): void {
  const s = ((step % keys.ctx.slotCount) + keys.ctx.slotCount) % keys.ctx.slotCount
  if (s === 0) {
    if (dest !== ct) dest.copy(ct)
    return
  }
  if (!keys.galoisKeys || !keys.galoisSteps.has(s)) throw new HeMissingKeyError({ shortMessage: `no Galois key for rotation step ${s}`, details: `loaded steps: ${[...keys.galoisSteps].join(', ') || 'none'}` })
  sealCall('rotate', () => keys.ctx.evaluator.rotateVector(ct, s, keys.galoisKeys!, dest))
}

/** Rescale in place (drops the last prime). */
export function rescale(ctx: CkksContext, ct: CipherText): void {
  if (levelOf(ct) === 0) throw new HeDepthError({ shortMessage: 'no level left to rescale', details: 'the computation is deeper than the parameters allow' })
  sealCall('rescale', () => ctx.evaluator.rescaleToNext(ct, ct))
}

/** Mod-switch in place down to `level`. */
export function dropTo(ctx: CkksContext, ct: CipherText, level: number): void {
  if (levelOf(ct) > level) sealCall('mod-switch', () => ctx.evaluator.cipherModSwitchTo(ct, ctx.parmsIds[level]!, ct))
}

/**
 * `dest = rescale(ct ⊙ values)` with the plaintext scale chosen so that the result has scale
 * `targetScale` (default: the input's scale). Consumes one level.
 */
export function mulPlainTo(ctx: CkksContext, ct: CipherText, values: ArrayLike<number> | number, dest: CipherText, scope: Scope, targetScale = ct.scale): void {
  const l = levelOf(ct)
  if (l === 0) throw new HeDepthError({ shortMessage: 'no level left for a multiplication' })
  const pt = scope.track(encodeAt(ctx, values, l, (targetScale * ctx.primes[l]!) / ct.scale))
  sealCall('multiply by a plaintext', () => ctx.evaluator.multiplyPlain(ct, pt, dest))
  rescale(ctx, dest)
}

/**
 * Bring `a` and `b` (new copies owned by `scope`) to one level and one scale, spending a level on the
 * operand with the lower scale mismatch budget when the scales differ.
 * @throws {HeScaleError} when the scales differ and no level is left to fix them
 */
export function align(ctx: CkksContext, a: CipherText, b: CipherText, scope: Scope): [CipherText, CipherText] {
  let x = scope.track(a.clone())
  let y = scope.track(b.clone())
  const rel = Math.abs(x.scale / y.scale - 1)
  if (rel > 1e-9) {
    // multiply the higher-level operand (or either, at equal levels) by 1 with a scale that lands on the other's
    const [hi, lo] = levelOf(x) >= levelOf(y) ? [x, y] : [y, x]
    if (levelOf(hi) === 0) {
      if (rel > 1e-6) throw new HeScaleError({ shortMessage: 'operands have different scales and no level is left to match them', details: `scales ${x.scale} and ${y.scale}` })
      hi.setScale(lo.scale)
    } else {
      const fixed = scope.track(ctx.seal.CipherText())
      mulPlainTo(ctx, hi, 1, fixed, scope, lo.scale)
      if (hi === x) x = fixed
      else y = fixed
    }
  }
  const level = Math.min(levelOf(x), levelOf(y))
  dropTo(ctx, x, level)
  dropTo(ctx, y, level)
  if (x.scale !== y.scale) x.setScale(y.scale) // equal up to rounding (checked above)
  return [x, y]
}

/** `dest = relinearise(rescale(a · b))` after aligning levels. */
export function mulCipher(keys: CkksKeys, a: CipherText, b: CipherText, dest: CipherText, scope: Scope): void {
  const { ctx } = keys
  if (!keys.relinKeys) throw new HeMissingKeyError({ shortMessage: 'ciphertext multiplication needs relinearisation keys' })
  let x = a
  let y = b
  if (levelOf(a) !== levelOf(b)) {
    const level = Math.min(levelOf(a), levelOf(b))
    x = scope.track(a.clone())
    y = scope.track(b.clone())
    dropTo(ctx, x, level)
    dropTo(ctx, y, level)
  }
  if (levelOf(x) === 0) throw new HeDepthError({ shortMessage: 'no level left for a multiplication' })
  sealCall('multiply', () => {
    if (x === y) ctx.evaluator.square(x, dest)
    else ctx.evaluator.multiply(x, y, dest)
    ctx.evaluator.relinearize(dest, keys.relinKeys!, dest)
  })
  rescale(ctx, dest)
}

/** Rotation steps of a matrix-vector product with input period `inPeriod` and `outDim` outputs. */
export function matVecShape(inPeriod: number, outDim: number): { n: number; m: number; baby: number; giant: number; steps: number[] } {
  const m = nextPow2(outDim)
  const n = Math.max(inPeriod, m)
  const baby = 2 ** Math.ceil(Math.log2(m) / 2)
  const giant = m / baby
  const steps: number[] = []
  for (let i = 1; i < baby; i++) steps.push(i)
  for (let g = 1; g < giant; g++) steps.push(g * baby)
  for (let s = m; s < n; s *= 2) steps.push(s)
  return { n, m, baby, giant, steps }
}

/** A matrix encoded for {@link applyMatVec} at one level (its plaintexts are owned by the caller). */
export type EncodedMatVec = { n: number; m: number; baby: number; giant: number; level: number; diagonals: (PlainText | undefined)[]; outDim: number }

/**
 * Encode `weights` (out × in, in ≤ inPeriod) as the pre-rotated generalised diagonals of the
 * baby-step giant-step product, for an input at `level` and scale `inScale`.
 */
export function encodeMatVec(ctx: CkksContext, weights: number[][], inPeriod: number, level: number, track: <T extends PlainText>(p: T) => T): EncodedMatVec {
  const outDim = weights.length
  const { n, m, baby, giant } = matVecShape(inPeriod, outDim)
  const slots = ctx.slotCount
  const diagonals: (PlainText | undefined)[] = []
  const w = (r: number, c: number): number => (r < outDim && c < (weights[r]?.length ?? 0) ? weights[r]![c]! : 0)
  for (let g = 0; g < giant; g++) {
    for (let b = 0; b < baby; b++) {
      const i = g * baby + b
      const shift = g * baby
      const d = new Float64Array(slots)
      let nonzero = false
      for (let j = 0; j < n; j++) {
        // pre-rotate by -shift: d'[j] = diag_i[j - shift]
        const jj = (((j - shift) % n) + n) % n
        const v = w(jj % m, (jj + i) % n)
        d[j] = v
        if (v !== 0) nonzero = true
      }
      for (let base = n; base < slots; base += n) d.copyWithin(base, 0, n)
      diagonals.push(nonzero ? track(encodeAt(ctx, d, level, ctx.primes[level]!)) : undefined)
    }
  }
  return { n, m, baby, giant, level, diagonals, outDim }
}

/** `dest = rescale(W x)` (periodic input with period ≤ n; output periodic with period m). */
export function applyMatVec(keys: CkksKeys, x: CipherText, mv: EncodedMatVec, dest: CipherText, scope: Scope): void {
  const { ctx } = keys
  const ev = ctx.evaluator
  const rots: CipherText[] = [x]
  for (let b = 1; b < mv.baby; b++) {
    const r = scope.track(ctx.seal.CipherText())
    rotate(keys, x, b, r)
    rots.push(r)
  }
  const tmp = scope.track(ctx.seal.CipherText())
  const inner = scope.track(ctx.seal.CipherText())
  let haveDest = false
  for (let g = 0; g < mv.giant; g++) {
    let haveInner = false
    for (let b = 0; b < mv.baby; b++) {
      const pt = mv.diagonals[g * mv.baby + b]
      if (!pt) continue
      sealCall('multiply by a plaintext', () => {
        if (!haveInner) ev.multiplyPlain(rots[b]!, pt, inner)
        else {
          ev.multiplyPlain(rots[b]!, pt, tmp)
          ev.add(inner, tmp, inner)
        }
      })
      haveInner = true
    }
    if (!haveInner) continue
    if (g > 0) rotate(keys, inner, g * mv.baby, inner)
    if (!haveDest) dest.copy(inner)
    else sealCall('add', () => ev.add(dest, inner, dest))
    haveDest = true
  }
  if (!haveDest) {
    // an all-zero matrix: W x = 0, still at the next level
    sealCall('multiply by a plaintext', () => ev.multiplyPlain(x, scope.track(encodeAt(ctx, 0, levelOf(x), ctx.primes[levelOf(x)]!)), dest))
  }
  for (let s = mv.m; s < mv.n; s *= 2) {
    rotate(keys, dest, s, tmp)
    sealCall('add', () => ev.add(dest, tmp, dest))
  }
  rescale(ctx, dest)
}
