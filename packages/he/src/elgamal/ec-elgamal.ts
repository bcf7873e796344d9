/**
 * @module elgamal/ec-elgamal
 * Exponential (additive) ElGamal on ristretto255 (RFC 9496, via @noble/curves): a value m is
 * encrypted as (r·G, m·G + r·H) with H = x·G the public key. Adding ciphertexts adds the values,
 * so counts and votes can be tallied without decrypting any single one. Decryption recovers m·G
 * and then m by a bounded discrete logarithm (baby-step giant-step, √maxValue table, cached), so
 * it only works for small values: up to `maxValue` (default 2^20).
 * Ciphertexts are 64 bytes (two canonical ristretto255 encodings).
 */
import { aBytes, aNonNegativeInt } from '@krain/core'
import { ristretto255 } from '@noble/curves/ed25519.js'
import { HeDiscreteLogError, HeSerializationError } from '../errors.js'
import { randomBigInt } from '../bigint/bigint-math.js'

const Point = ristretto255.Point
type RPoint = InstanceType<typeof Point>
const ORDER = Point.Fn.ORDER
const G = Point.BASE

/** An EC-ElGamal key pair (`secretKey` stays with its owner). */
export type EcElGamalKeys = { secretKey: bigint; publicKey: Uint8Array }

/** Default upper bound of decryptable values. */
export const EC_ELGAMAL_DEFAULT_MAX = 2 ** 20

/**
 * Generate a key pair.
 * @returns `{ secretKey, publicKey }` (public key: 32 bytes)
 * @example
 * ```ts
 * const { secretKey, publicKey } = generateEcElGamalKeys()
 * ```
 */
export function generateEcElGamalKeys(): EcElGamalKeys {
  const secretKey = randomBigInt(1n, ORDER)
  return { secretKey, publicKey: G.multiply(secretKey).toBytes() }
}

function point(bytes: Uint8Array, name: string): RPoint {
  try {
    return Point.fromBytes(bytes)
  } catch (e) {
    throw new HeSerializationError({ shortMessage: `"${name}" is not a valid ristretto255 encoding`, cause: e })
  }
}

function split(ct: unknown, name: string): [RPoint, RPoint] {
  const b = aBytes(ct, name, 64)
  return [point(b.subarray(0, 32), `${name}.c1`), point(b.subarray(32), `${name}.c2`)]
}

function join(c1: RPoint, c2: RPoint): Uint8Array {
  const out = new Uint8Array(64)
  out.set(c1.toBytes(), 0)
  out.set(c2.toBytes(), 32)
  return out
}

/**
 * Encrypt a non-negative integer.
 * @param publicKey - 32-byte public key
 * @param m - value (a safe integer ≥ 0; decryptable if ≤ the decryptor's `maxValue`)
 * @returns 64-byte ciphertext
 */
export function ecElGamalEncrypt(publicKey: Uint8Array, m: number): Uint8Array {
  const H = point(aBytes(publicKey, 'publicKey', 32), 'publicKey')
  const v = BigInt(aNonNegativeInt(m, 'm'))
  const r = randomBigInt(1n, ORDER)
  return join(G.multiply(r), G.multiplyUnsafe(v).add(H.multiply(r)))
}

/** Homomorphic sum of ciphertexts (decrypts to the sum of the values). */
export function ecElGamalAdd(...cts: Uint8Array[]): Uint8Array {
  if (cts.length === 0) throw new RangeError('"cts" expected at least one ciphertext, got 0')
  let [a1, a2] = split(cts[0], 'cts[0]')
  for (let i = 1; i < cts.length; i++) {
    const [b1, b2] = split(cts[i], `cts[${i}]`)
    a1 = a1.add(b1)
    a2 = a2.add(b2)
  }
  return join(a1, a2)
}

/** Multiply the encrypted value by a plaintext non-negative integer `k`. */
export function ecElGamalScale(ct: Uint8Array, k: number): Uint8Array {
  const [c1, c2] = split(ct, 'ct')
  const s = BigInt(aNonNegativeInt(k, 'k'))
  return join(c1.multiplyUnsafe(s), c2.multiplyUnsafe(s))
}

const tables = new Map<number, { step: number; baby: Map<string, number>; giant: RPoint }>()

function table(maxValue: number) {
  const step = Math.ceil(Math.sqrt(maxValue + 1))
  let t = tables.get(step)
  if (!t) {
    const baby = new Map<string, number>()
    let P = Point.ZERO
    for (let j = 0; j < step; j++) {
      baby.set(P.toHex(), j)
      P = P.add(G)
    }
    t = { step, baby, giant: G.multiply(BigInt(step)).negate() }
    tables.set(step, t)
  }
  return t
}

/**
 * Decrypt, recovering the value by baby-step giant-step in [0, maxValue].
 * @param secretKey - the key holder's scalar
 * @param ct - 64-byte ciphertext
 * @param options.maxValue - largest value searched (default 2^20; cost ~√maxValue, table cached)
 * @returns the value
 * @throws {HeDiscreteLogError} when the value is larger than `maxValue` (or the key is wrong)
 * @throws {HeSerializationError} on malformed ciphertext bytes
 */
export function ecElGamalDecrypt(secretKey: bigint, ct: Uint8Array, { maxValue = EC_ELGAMAL_DEFAULT_MAX }: { maxValue?: number } = {}): number {
  if (typeof secretKey !== 'bigint' || secretKey <= 0n || secretKey >= ORDER) throw new RangeError('"secretKey" expected a scalar in [1, order)')
  const max = aNonNegativeInt(maxValue, 'maxValue')
  if (max > 2 ** 40) throw new RangeError(`"maxValue" expected at most 2^40, got ${max}`)
  const [c1, c2] = split(ct, 'ct')
  let M = c2.subtract(c1.multiply(secretKey))
  const { step, baby, giant } = table(max)
  for (let i = 0; i * step <= max; i++) {
    const j = baby.get(M.toHex())
    if (j !== undefined && i * step + j <= max) return i * step + j
    M = M.add(giant)
  }
  throw new HeDiscreteLogError({ shortMessage: `the encrypted value is not in [0, ${max}]`, details: 'raise maxValue, or the ciphertext was made under another key' })
}
