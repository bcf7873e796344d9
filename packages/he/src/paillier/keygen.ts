/**
 * @module paillier/keygen
 * Key generation: two random primes of |n|/2 bits (top two bits set, so n has exactly |n| bits),
 * distinct, with gcd(n, (p−1)(q−1)) = 1, and |p − q| > 2^(|n|/2 − 100) (FIPS 186-5 A.1.3).
 * g = n + 1. The private key precomputes its CRT constants.
 */
import { anIntInRange, anObject, aBoolean } from '@krain/core'
import { PaillierPrivateKey, PAILLIER_DEFAULT_BITS, PAILLIER_MAX_BITS, type PaillierKeyOptions, type PaillierKeyPair } from './keys.js'
import { PaillierInvalidKeyError } from '../errors.js'
import { gcd } from '../bigint/bigint-math.js'
import { primeSearch } from './primes.js'

/** Options of {@link generateKeyPair}. */
export type GenerateKeyPairOptions = PaillierKeyOptions & {
  /** Modulus size in bits (even). Default 3072; 2048 allowed; smaller only with `unsafeAllowSmallKeyForTests`. */
  bits?: number
}

function checkOptions(options: GenerateKeyPairOptions | undefined): number {
  if (options === undefined) return PAILLIER_DEFAULT_BITS
  anObject(options, 'options')
  if (options.unsafeAllowSmallKeyForTests !== undefined) aBoolean(options.unsafeAllowSmallKeyForTests, 'options.unsafeAllowSmallKeyForTests')
  const bits = anIntInRange(options.bits ?? PAILLIER_DEFAULT_BITS, 'options.bits', 32, PAILLIER_MAX_BITS)
  if (bits % 2 !== 0) throw new RangeError(`"options.bits" expected an even number, got ${bits}`)
  if (bits < 2048 && options.unsafeAllowSmallKeyForTests !== true)
    throw new PaillierInvalidKeyError({ shortMessage: `a ${bits}-bit key is refused; at least 2048 bits are required`, details: 'pass { unsafeAllowSmallKeyForTests: true } in tests only' })
  return bits
}

function* keySearch(bits: number, options: PaillierKeyOptions | undefined): Generator<void, PaillierKeyPair, void> {
  const half = bits / 2
  const minGap = half > 128 ? 1n << BigInt(half - 100) : 1n
  for (;;) {
    const p = yield* primeSearch(half)
    const q = yield* primeSearch(half)
    if (p === q) continue
    const d = p > q ? p - q : q - p
    if (d <= minGap) continue
    const n = p * q
    if (gcd(n, (p - 1n) * (q - 1n)) !== 1n) continue
    const privateKey = new PaillierPrivateKey(p > q ? p : q, p > q ? q : p, options)
    return { publicKey: privateKey.publicKey, privateKey }
  }
}

/**
 * Generate a Paillier key pair (g = n + 1), yielding to the event loop between prime candidates.
 *
 * @param options - `bits` (default 3072), `unsafeAllowSmallKeyForTests`
 * @returns `{ publicKey, privateKey }`
 * @throws RangeError on a malformed size
 * @throws PaillierInvalidKeyError (`HE_INVALID_KEY`) for a size below 2048 bits without the test-only flag
 * @example
 * ```ts
 * const { publicKey, privateKey } = await generateKeyPair({ bits: 2048 })
 * ```
 */
export async function generateKeyPair(options?: GenerateKeyPairOptions): Promise<PaillierKeyPair> {
  const bits = checkOptions(options)
  const search = keySearch(bits, options)
  let last = performance.now()
  for (;;) {
    const r = search.next()
    if (r.done) return r.value
    if (performance.now() - last > 20) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      last = performance.now()
    }
  }
}

/**
 * Generate a Paillier key pair synchronously (blocks the thread; see {@link generateKeyPair}).
 * @param options - as for {@link generateKeyPair}
 * @returns `{ publicKey, privateKey }`
 * @example
 * ```ts
 * const { publicKey, privateKey } = generateKeyPairSync({ bits: 2048 })
 * ```
 */
export function generateKeyPairSync(options?: GenerateKeyPairOptions): PaillierKeyPair {
  const bits = checkOptions(options)
  const search = keySearch(bits, options)
  for (;;) {
    const r = search.next()
    if (r.done) return r.value
  }
}
