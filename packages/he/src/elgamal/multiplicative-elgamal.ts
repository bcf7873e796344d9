/**
 * @module elgamal/multiplicative-elgamal
 * Multiplicative ElGamal (T. ElGamal, "A public key cryptosystem and a signature scheme based on
 * discrete logarithms", CRYPTO 1984) over an RFC 7919 safe-prime group, IND-CPA under DDH in the
 * subgroup of quadratic residues. Messages m ∈ [1, q] are encoded into that subgroup as m when m
 * is a quadratic residue and p − m otherwise (p ≡ 3 mod 4, so −1 is a non-residue); decoding maps
 * x to min(x, p − x). Hence `Enc(a) ⊗ Enc(b)` decrypts to a·b as long as a·b ≤ q.
 * Ciphertexts are malleable by design (that is the homomorphism): authenticate them if integrity matters.
 */
import { aBigIntInRange } from '@krain/core'
import { HeKeyMismatchError, HeSerializationError } from '../errors.js'
import { modPow, randomBigInt } from '../bigint/bigint-math.js'
import { FFDHE_GROUPS, type FfdheGroup, type FfdheGroupName } from './ffdhe-groups.js'

/** Public key `h = g^x`. */
export type ElGamalPublicKey = { group: FfdheGroupName; h: bigint }
/** Private key `x` with its public key. */
export type ElGamalPrivateKey = { group: FfdheGroupName; x: bigint; publicKey: ElGamalPublicKey }
/** Ciphertext `(g^r, M·h^r)`. */
export type ElGamalCiphertext = { group: FfdheGroupName; c1: bigint; c2: bigint }

function groupOf(name: unknown): FfdheGroup {
  if (typeof name !== 'string' || !(name in FFDHE_GROUPS)) throw new TypeError(`"group" expected one of ${Object.keys(FFDHE_GROUPS).join(', ')}, got ${String(name)}`)
  return FFDHE_GROUPS[name as FfdheGroupName]
}

function inSubgroup(G: FfdheGroup, v: bigint): boolean {
  return v > 1n && v < G.p - 1n && modPow(v, G.q, G.p) === 1n
}

/**
 * Generate a key pair.
 * @param p.group - RFC 7919 group (default `ffdhe2048`)
 * @returns the private key (holding its public key)
 * @example
 * ```ts
 * const sk = generateElGamalKeys()
 * const ct = elgamalEncrypt(sk.publicKey, 6n)
 * ```
 */
export function generateElGamalKeys({ group = 'ffdhe2048' }: { group?: FfdheGroupName } = {}): ElGamalPrivateKey {
  const G = groupOf(group)
  const x = randomBigInt(1n, G.q)
  return { group: G.name, x, publicKey: { group: G.name, h: modPow(G.g, x, G.p) } }
}

/**
 * Encrypt `m ∈ [1, q]`.
 * @throws {RangeError} when `m` is out of range
 */
export function elgamalEncrypt(publicKey: ElGamalPublicKey, m: bigint): ElGamalCiphertext {
  const G = groupOf(publicKey?.group)
  aBigIntInRange(m, 'm', 1n, G.q + 1n)
  const M = modPow(m, G.q, G.p) === 1n ? m : G.p - m
  const r = randomBigInt(1n, G.q)
  return { group: G.name, c1: modPow(G.g, r, G.p), c2: (M * modPow(publicKey.h, r, G.p)) % G.p }
}

function checkCiphertext(ct: ElGamalCiphertext, G: FfdheGroup, name: string): void {
  if (typeof ct !== 'object' || ct === null || typeof ct.c1 !== 'bigint' || typeof ct.c2 !== 'bigint') throw new TypeError(`"${name}" expected an ElGamal ciphertext`)
  if (ct.group !== G.name) throw new HeKeyMismatchError({ shortMessage: `"${name}" belongs to group ${ct.group}, not ${G.name}` })
  if (!inSubgroup(G, ct.c1) || !inSubgroup(G, ct.c2)) throw new HeSerializationError({ shortMessage: `"${name}" has a component outside the prime-order subgroup` })
}

/**
 * Decrypt to `m`.
 * @throws {HeKeyMismatchError} for a ciphertext of another group
 * @throws {HeSerializationError} for components outside the subgroup
 */
export function elgamalDecrypt(privateKey: ElGamalPrivateKey, ct: ElGamalCiphertext): bigint {
  const G = groupOf(privateKey?.group)
  checkCiphertext(ct, G, 'ciphertext')
  const M = (ct.c2 * modPow(ct.c1, G.q - privateKey.x, G.p)) % G.p
  return M <= G.q ? M : G.p - M
}

/** Homomorphic product: decrypts to a·b (while a·b ≤ q). */
export function elgamalMultiply(a: ElGamalCiphertext, b: ElGamalCiphertext): ElGamalCiphertext {
  const G = groupOf(a?.group)
  checkCiphertext(a, G, 'a')
  checkCiphertext(b, G, 'b')
  return { group: G.name, c1: (a.c1 * b.c1) % G.p, c2: (a.c2 * b.c2) % G.p }
}

/** Fresh randomness on the same plaintext (unlinkable to the input ciphertext). */
export function elgamalRerandomize(publicKey: ElGamalPublicKey, ct: ElGamalCiphertext): ElGamalCiphertext {
  const G = groupOf(publicKey?.group)
  checkCiphertext(ct, G, 'ciphertext')
  const r = randomBigInt(1n, G.q)
  return { group: G.name, c1: (ct.c1 * modPow(G.g, r, G.p)) % G.p, c2: (ct.c2 * modPow(publicKey.h, r, G.p)) % G.p }
}
