/**
 * @module ckks/ckks-vector
 * An encrypted vector of real numbers (CKKS), TenSEAL-style: add, sub, multiply (relinearised and
 * rescaled), multiply by plaintext, sum, dot with plaintext weights, matrix-vector product
 * (diagonal method with baby-step giant-step rotations) and polynomial evaluation. Levels and
 * scales are matched automatically; every operation returns a new vector that owns one SEAL
 * ciphertext — dispose it (`using v = a.add(b)` or `v.dispose()`).
 *
 * The vector is stored periodically (padded to a power of two and repeated over all slots), so
 * rotations are cyclic within the vector and `sum` leaves the total in every slot.
 * CKKS is approximate: results carry an error of roughly 2^-(scaleBits-20) relative to the values.
 */
import { aFiniteNumber, anArray } from '@krain/core'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeKeyMismatchError, HeSerializationError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import { owned, withScope } from '../seal/scope.js'
import { OwnedCiphertext } from '../seal/owned-ciphertext.js'
import { bytesOf, checkSealBytes } from '../seal/serialization.js'
import { encodeAt as encodePlainAt, levelOf } from './ckks-context.js'
import { align, applyMatVec, encodeMatVec, matVecShape, mulCipher, mulPlainTo, nextPow2, rotate, tile, type CkksKeys } from './ops.js'

/** Rotation steps that {@link CkksVector.sum} (and `dot`) need for a vector of `length`. */
export function sumRotationSteps(length: number): number[] {
  const steps: number[] = []
  for (let s = 1; s < nextPow2(length); s *= 2) steps.push(s)
  return steps
}

/** Rotation steps that {@link CkksVector.matmul} needs for an `outLength × inLength` matrix. */
export function matmulRotationSteps(inLength: number, outLength: number): number[] {
  return matVecShape(nextPow2(inLength), outLength).steps
}

function plainOperand(v: unknown, length: number, name: string): number[] | number {
  if (typeof v === 'number') return aFiniteNumber(v, name)
  const a = anArray<number>(v, name, length, length)
  for (let i = 0; i < a.length; i++) aFiniteNumber(a[i], `${name}[${i}]`)
  return a
}

/** An encrypted vector (see the module notes). */
export class CkksVector extends OwnedCiphertext {
  /** Number of meaningful values. */
  readonly length: number
  /** Power of two ≥ length; the layout period. */
  readonly period: number
  readonly keys: CkksKeys

  /** @internal Wraps (and takes ownership of) a ciphertext. */
  constructor(keys: CkksKeys, ct: CipherText, length: number, period = nextPow2(length)) {
    super(ct, 'CKKS vector')
    this.keys = keys
    this.length = length
    this.period = period
  }

  /**
   * Load a serialised vector (validated against the keys' parameters).
   * @param keys - evaluation keys (server) or a client's keys
   * @param bytes - bytes or base64 from {@link CkksVector.serialize} / `CkksClient.encryptToBytes`
   * @param length - number of values it holds
   * @throws {HeSerializationError} on malformed bytes or bytes for other parameters
   */
  static load(keys: CkksKeys, bytes: Uint8Array | string, length: number): CkksVector {
    const data = bytesOf(bytes, 'bytes')
    if (!Number.isSafeInteger(length) || length < 1 || length > keys.ctx.slotCount) throw new RangeError(`"length" expected an integer in [1, ${keys.ctx.slotCount}], got ${length}`)
    return new CkksVector(keys, loadCiphertext(keys, data), length)
  }

  /** Rescales left. */
  get level(): number {
    return levelOf(this.ciphertext)
  }

  /** Current scale. */
  get scale(): number {
    return this.ciphertext.scale
  }

  /** Serialise (SEAL format; `compress` = zstd, which saves little on CKKS data and costs time). */
  serialize(compress = false): Uint8Array {
    const { ComprModeType } = this.keys.ctx.seal
    return sealCall('serialise a ciphertext', () => this.ciphertext.saveArray(compress ? ComprModeType.zstd : ComprModeType.none))
  }

  #wrap(ct: CipherText, length = this.length, period = this.period): CkksVector {
    return new CkksVector(this.keys, ct, length, period)
  }

  #sameShape(o: CkksVector): void {
    if (!(o instanceof CkksVector)) throw new TypeError('"other" expected a CkksVector')
    if (o.keys.ctx !== this.keys.ctx) throw new HeKeyMismatchError({ shortMessage: 'vectors were encrypted under different parameters' })
    if (o.length !== this.length) throw new RangeError(`"other" expected a vector of length ${this.length}, got ${o.length}`)
  }

  #binary(o: CkksVector | number[] | number, op: 'add' | 'sub'): CkksVector {
    const { ctx } = this.keys
    return withScope((scope) =>
      this.#wrap(
        owned(ctx.seal.CipherText(), (out) => {
          if (o instanceof CkksVector) {
            this.#sameShape(o)
            const [a, b] = align(ctx, this.ciphertext, o.ciphertext, scope)
            sealCall(op, () => (op === 'add' ? ctx.evaluator.add(a, b, out) : ctx.evaluator.sub(a, b, out)))
          } else {
            const v = plainOperand(o, this.length, 'other')
            const ct = this.ciphertext
            const pt = scope.track(encodePlain(this, v, ct.scale))
            sealCall(op, () => (op === 'add' ? ctx.evaluator.addPlain(ct, pt, out) : ctx.evaluator.subPlain(ct, pt, out)))
          }
        }),
      ),
    )
  }

  /** Element-wise sum with another vector or plaintext values (a number adds to every element). */
  add(other: CkksVector | number[] | number): CkksVector {
    return this.#binary(other, 'add')
  }

  /** Element-wise difference. */
  sub(other: CkksVector | number[] | number): CkksVector {
    return this.#binary(other, 'sub')
  }

  /** Negation. */
  negate(): CkksVector {
    const { ctx } = this.keys
    return this.#wrap(owned(ctx.seal.CipherText(), (out) => sealCall('negate', () => ctx.evaluator.negate(this.ciphertext, out))))
  }

  /**
   * Element-wise product with a vector (relinearised, rescaled: one level) or plaintext values
   * (rescaled: one level; the scale is kept).
   * @throws {HeDepthError} when no level is left
   */
  multiply(other: CkksVector | number[] | number): CkksVector {
    const { ctx } = this.keys
    return withScope((scope) =>
      this.#wrap(
        owned(ctx.seal.CipherText(), (out) => {
          if (other instanceof CkksVector) {
            this.#sameShape(other)
            mulCipher(this.keys, this.ciphertext, other.ciphertext, out, scope)
          } else {
            const v = plainOperand(other, this.length, 'other')
            mulPlainTo(ctx, this.ciphertext, typeof v === 'number' ? v : tile(v, this.period, ctx.slotCount), out, scope)
          }
        }),
      ),
    )
  }

  /** Element-wise square (one level). */
  square(): CkksVector {
    return this.multiply(this)
  }

  /** Rotate left by `steps` within the vector's period (needs that Galois key). */
  rotate(steps: number): CkksVector {
    const { ctx } = this.keys
    return this.#wrap(owned(ctx.seal.CipherText(), (out) => rotate(this.keys, this.ciphertext, ((steps % this.period) + this.period) % this.period, out)))
  }

  /** Sum of the elements (a vector of length 1; needs Galois keys for {@link sumRotationSteps}). */
  sum(): CkksVector {
    const { ctx } = this.keys
    const out = owned(this.ciphertext.clone(), (out) =>
      withScope((scope) => {
        const tmp = scope.track(ctx.seal.CipherText())
        for (let s = 1; s < this.period; s *= 2) {
          rotate(this.keys, out, s, tmp)
          sealCall('add', () => ctx.evaluator.add(out, tmp, out))
        }
      }),
    )
    return this.#wrap(out, 1, 1)
  }

  /** Dot product with plaintext weights (one level; needs the {@link sumRotationSteps} keys). */
  dot(weights: number[]): CkksVector {
    using prod = this.multiply(plainOperand(weights, this.length, 'weights') as number[])
    return prod.sum()
  }

  /**
   * Matrix-vector product `W x` with `W` given as `weights[out][in]` (in = this.length): diagonal
   * method, baby-step giant-step rotations; one level. Needs Galois keys for {@link matmulRotationSteps}.
   */
  matmul(weights: number[][]): CkksVector {
    const rows = anArray<number[]>(weights, 'weights', 1, this.keys.ctx.slotCount)
    rows.forEach((r, i) => plainOperand(r, this.length, `weights[${i}]`))
    const { ctx } = this.keys
    const { m } = matVecShape(this.period, rows.length)
    return withScope((scope) => {
      const mv = encodeMatVec(ctx, rows, this.period, this.level, (p) => scope.track(p))
      return this.#wrap(owned(ctx.seal.CipherText(), (out) => applyMatVec(this.keys, this.ciphertext, mv, out, scope)), rows.length, m)
    })
  }

  /**
   * Evaluate the polynomial `coefficients[0] + coefficients[1]·x + …` element-wise.
   * Depth: ⌈log2(degree)⌉ + 1 levels at most (degree 3 needs 2); powers are built by squaring and
   * products of powers of two, and each coefficient multiplies the shallower factor of its term.
   * @throws {HeDepthError} when the degree needs more levels than are left
   */
  polyval(coefficients: number[]): CkksVector {
    const cs = anArray<number>(coefficients, 'coefficients', 1, 64).map((c, i) => aFiniteNumber(c, `coefficients[${i}]`))
    let d = cs.length - 1
    while (d > 0 && cs[d] === 0) d--
    const { ctx } = this.keys
    if (d === 0) {
      using zero = this.multiply(0)
      return zero.add(cs[0]!)
    }
    return withScope((scope) => {
      const powers: CipherText[] = []
      powers[1] = this.ciphertext
      for (let i = 2; i <= d; i++) {
        const hi = 2 ** Math.floor(Math.log2(i))
        const lo = i - hi
        const p = scope.track(ctx.seal.CipherText())
        mulCipher(this.keys, powers[hi === i ? i / 2 : hi]!, powers[hi === i ? i / 2 : lo]!, p, scope)
        powers[i] = p
      }
      const target = ctx.scale
      const terms: CipherText[] = []
      for (let i = 1; i <= d; i++) {
        if (cs[i] === 0) continue
        const t = scope.track(ctx.seal.CipherText())
        if (i === 1) {
          mulPlainTo(ctx, powers[1]!, cs[1]!, t, scope, target)
        } else {
          // c·x^i = (c·x^lo)·x^hi: the constant rides on the shallower factor, saving a level
          const p2 = 2 ** Math.floor(Math.log2(i))
          const hi = p2 === i ? i / 2 : p2
          const lo = i - hi
          const finalLevel = Math.min(levelOf(powers[lo]!) - 1, levelOf(powers[hi]!))
          const cx = scope.track(ctx.seal.CipherText())
          mulPlainTo(ctx, powers[lo]!, cs[i]!, cx, scope, (target * ctx.primes[finalLevel]!) / powers[hi]!.scale)
          mulCipher(this.keys, cx, powers[hi]!, t, scope)
        }
        terms.push(t)
      }
      const level = Math.min(...terms.map(levelOf))
      const out = owned(ctx.seal.CipherText(), (out) => {
        out.copy(terms[0]!)
        sealCall('sum the polynomial terms', () => {
          if (levelOf(out) > level) ctx.evaluator.cipherModSwitchTo(out, ctx.parmsIds[level]!, out)
          for (const t of terms.slice(1)) {
            if (levelOf(t) > level) ctx.evaluator.cipherModSwitchTo(t, ctx.parmsIds[level]!, t)
            t.setScale(out.scale)
            ctx.evaluator.add(out, t, out)
          }
        })
        if (cs[0] !== 0) {
          const pt = scope.track(encodeAtLevel(this, cs[0]!, level, out.scale))
          sealCall('add a constant', () => ctx.evaluator.addPlain(out, pt, out))
        }
      })
      return this.#wrap(out)
    })
  }
}

function encodeAtLevel(v: CkksVector, values: number[] | number, level: number, scale: number) {
  const { ctx } = v.keys
  const data = typeof values === 'number' ? values : tile(values, v.period, ctx.slotCount)
  return encodePlainAt(ctx, data, level, scale)
}

function encodePlain(v: CkksVector, values: number[] | number, scale: number) {
  return encodeAtLevel(v, values, v.level, scale)
}

/**
 * @internal Load a ciphertext from bytes under `keys`' parameters (header and parameter checks).
 * @throws {HeSerializationError} on malformed bytes or other parameters
 */
export function loadCiphertext(keys: CkksKeys, data: Uint8Array, what = 'ciphertext'): CipherText {
  checkSealBytes(data, what)
  const ct = owned(keys.ctx.seal.CipherText(), (ct) => {
    try {
      sealCall(`load a ${what}`, () => ct.loadArray(keys.ctx.context, data))
    } catch (e) {
      throw new HeSerializationError({ shortMessage: `${what} does not load under these parameters`, cause: e })
    }
  })
  if (!Number.isFinite(ct.scale) || ct.scale <= 1 || ct.size !== 2) {
    ct.delete()
    throw new HeSerializationError({ shortMessage: `${what} has an invalid scale or size`, details: `scale ${ct.scale}, size ${ct.size}` })
  }
  return ct
}
