/**
 * @module paillier/decrypt
 * Decryption with full CRT (Paillier 1999, §7): m_p = L_p(c^(p−1) mod p²)·hp mod p, m_q likewise,
 * m = CRT(m_p, m_q). The exponents are p − 1 and q − 1 (half of |n| bits) on moduli of |n| bits,
 * computed on p-adic digits (see `padic.ts`), where c^(p−1) ≡ 1 + p·L_p (mod p²) gives L_p as the
 * second digit directly.
 */
import { HeKeyMismatchError } from '../errors.js'
import { PaillierCiphertext } from './ciphertext.js'
import { PaillierPrivateKey } from './keys.js'
import { crt } from '../bigint/bigint-math.js'
import { powPadic } from './padic.js'
import { shortTypeError } from './describe.js'

/** @internal m ∈ [0, n) of a trusted ciphertext value. */
export function decryptRaw(privateKey: PaillierPrivateKey, c: bigint): bigint {
  const { p, q, pSquared, qSquared, hp, hq, pInvQ } = privateKey
  const lp = powPadic(c % pSquared, p - 1n, p)[1]
  const lq = powPadic(c % qSquared, q - 1n, q)[1]
  const mp = (lp * hp) % p
  const mq = (lq * hq) % q
  return crt(mp, p, mq, q, pInvQ)
}

/** @internal Throw unless the private key and the ciphertext share a key. */
export function checkSameKey(privateKey: PaillierPrivateKey, ciphertext: PaillierCiphertext): void {
  if (!(privateKey instanceof PaillierPrivateKey)) shortTypeError('privateKey', 'a PaillierPrivateKey', privateKey)
  if (!(ciphertext instanceof PaillierCiphertext)) shortTypeError('ciphertext', 'a PaillierCiphertext', ciphertext)
  if (ciphertext.publicKey.n !== privateKey.n) throw new HeKeyMismatchError({ shortMessage: 'the ciphertext was made under another key' })
}

/**
 * Decrypt to the raw plaintext m ∈ [0, n).
 *
 * @param privateKey - the private key
 * @param ciphertext - a ciphertext under its public key
 * @returns m ∈ [0, n)
 * @throws TypeError on malformed arguments
 * @throws HeKeyMismatchError (`HE_KEY_MISMATCH`) when the ciphertext is under another key
 * @example
 * ```ts
 * decrypt(privateKey, encrypt(publicKey, 7n)) // 7n
 * ```
 */
export function decrypt(privateKey: PaillierPrivateKey, ciphertext: PaillierCiphertext): bigint {
  checkSameKey(privateKey, ciphertext)
  return decryptRaw(privateKey, ciphertext.value)
}
