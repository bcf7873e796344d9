/**
 * @module secagg/crypto
 * Primitives of the masked aggregation (Bonawitz et al. 2017): X25519 key agreement and AES-GCM
 * share encryption through node:crypto, an AES-128-CTR PRG expanding a 32-byte seed into a mask
 * over Z_2^64, and a small t-of-n Shamir sharing of 32-byte secrets over GF(2^521 − 1).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, createHash, type KeyObject } from 'node:crypto'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

/** A raw X25519 key pair (32-byte secret, 32-byte public) and its node:crypto private KeyObject. */
export type X25519KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array; privateKeyObject: KeyObject }

/** Fresh X25519 key pair. */
export function generateX25519(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync('x25519')
  const jwk = privateKey.export({ format: 'jwk' })
  return { secretKey: new Uint8Array(Buffer.from(jwk.d!, 'base64url')), publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')), privateKeyObject: privateKey }
}

/** Public key of a raw X25519 secret key. */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  const k = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })
  return new Uint8Array(createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length))
}

/** A node:crypto private KeyObject from a raw X25519 secret key (create once, reuse for many agreements). */
export function x25519PrivateKeyObject(secretKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })
}

/** A node:crypto public KeyObject from a raw X25519 public key. */
export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError(`"publicKey" expected 32 bytes, got ${publicKey.length}`)
  // JWK import is ~10× faster than DER in node 20
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' })
}

/** X25519 shared secret hashed with a domain label into a 32-byte key (SHA-256(label ‖ DH)). Accepts raw keys or KeyObjects. */
export function agree(secretKey: Uint8Array | KeyObject, publicKey: Uint8Array | KeyObject, label: string): Uint8Array {
  const privateKey = secretKey instanceof Uint8Array ? x25519PrivateKeyObject(secretKey) : secretKey
  const pub = publicKey instanceof Uint8Array ? x25519PublicKeyObject(publicKey) : publicKey
  const shared = diffieHellman({ privateKey, publicKey: pub })
  // the X25519 output hashed with a domain label (SHA-256; a KDF over a uniform-ish DH output)
  return new Uint8Array(createHash('sha256').update(label).update(shared).digest())
}

let zeros = Buffer.alloc(0)

/**
 * Expand a 32-byte seed into `length` uniform elements of Z_2^64 (AES-128-CTR keystream), as a
 * Uint32Array of 2·length words: element k = words[2k] + 2^32·words[2k+1].
 */
export function prgMask(seed: Uint8Array, length: number): Uint32Array {
  const c = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32))
  if (zeros.length < 8 * length) zeros = Buffer.alloc(8 * length)
  const bytes = c.update(zeros.subarray(0, 8 * length))
  // little-endian word order is immaterial: every word is uniform
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 8 * length))
}

/** AES-256-GCM encrypt with associated data; output = iv(12) ‖ ciphertext ‖ tag(16). */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key, iv)
  c.setAAD(Buffer.from(aad))
  const ct = Buffer.concat([c.update(plaintext), c.final()])
  return new Uint8Array(Buffer.concat([iv, ct, c.getAuthTag()]))
}

/** Inverse of {@link seal}; `null` when authentication fails. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array | null {
  if (sealed.length < 28) return null
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
    d.setAAD(Buffer.from(aad))
    d.setAuthTag(sealed.subarray(sealed.length - 16))
    return new Uint8Array(Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]))
  } catch {
    return null
  }
}

/** SHA-256 commitment to a seed. */
export function commit(seed: Uint8Array, label: string): string {
  return createHash('sha256').update(label).update(seed).digest('hex')
}

/**
 * The Shamir field prime, 2^255 − 19: a share is 32 bytes. Secrets are 32-byte little-endian
 * strings below it: X25519 secret keys with bit 255 cleared (X25519 clamping clears it anyway, so
 * the key is unchanged) and self-mask seeds drawn the same way (see {@link sharableSecret}).
 */
export const SHAMIR_PRIME = (1n << 255n) - 19n
const SHARE_BYTES = 32

const mod = (a: bigint): bigint => ((a % SHAMIR_PRIME) + SHAMIR_PRIME) % SHAMIR_PRIME
function inv(a: bigint): bigint {
  let r = 1n
  let b = mod(a)
  let e = SHAMIR_PRIME - 2n
  while (e > 0n) {
    if (e & 1n) r = (r * b) % SHAMIR_PRIME
    b = (b * b) % SHAMIR_PRIME
    e >>= 1n
  }
  return r
}
// little-endian, like X25519 scalars
const toBig = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'))
const toBytes = (v: bigint, len: number): Uint8Array => new Uint8Array(Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex').reverse())

/**
 * A copy of a 32-byte secret with bit 255 cleared, or `null` if it is still ≥ 2^255 − 19 (probability
 * 2^−250; callers draw again). For an X25519 secret key this is the same key.
 */
export function sharableSecret(secret: Uint8Array): Uint8Array | null {
  const s = Uint8Array.from(secret)
  s[31]! &= 0x7f
  return toBig(s) < SHAMIR_PRIME ? s : null
}

/** Split a 32-byte secret into shares at points x = 1..n, any `threshold` of which recover it. */
export function shamirSplit(secret: Uint8Array, points: readonly number[], threshold: number): Uint8Array[] {
  if (secret.length !== 32 || toBig(secret) >= SHAMIR_PRIME) throw new RangeError('"secret" expected 32 bytes below 2^255 − 19 (see sharableSecret)')
  const coeffs = [toBig(secret)]
  const W = SHARE_BYTES + 16
  const rnd = randomBytes(W * Math.max(0, threshold - 1))
  for (let k = 1; k < threshold; k++) coeffs.push(mod(toBig(rnd.subarray((k - 1) * W, k * W))))
  return points.map((x) => {
    let acc = 0n
    for (let k = coeffs.length - 1; k >= 0; k--) acc = (acc * BigInt(x) + coeffs[k]!) % SHAMIR_PRIME
    return toBytes(acc, SHARE_BYTES)
  })
}

/** Lagrange interpolation at 0 of `threshold` (or more) shares; returns the 32-byte secret or `null` if out of range. */
const lagrangeCache = new Map<string, bigint[]>()
function lagrangeAtZero(xs: readonly number[]): bigint[] {
  const key = xs.join(',')
  let l = lagrangeCache.get(key)
  if (!l) {
    l = xs.map((x) => {
      let num = 1n
      let den = 1n
      for (const o of xs) {
        if (o === x) continue
        num = (num * BigInt(-o)) % SHAMIR_PRIME
        den = (den * BigInt(x - o)) % SHAMIR_PRIME
      }
      return (mod(num) * inv(den)) % SHAMIR_PRIME
    })
    if (lagrangeCache.size > 256) lagrangeCache.clear()
    lagrangeCache.set(key, l)
  }
  return l
}

export function shamirCombine(shares: readonly { x: number; share: Uint8Array }[]): Uint8Array | null {
  if (new Set(shares.map((s) => s.x)).size !== shares.length) return null
  const l = lagrangeAtZero(shares.map((s) => s.x))
  let acc = 0n
  shares.forEach(({ share }, k) => {
    acc = (acc + toBig(share) * l[k]!) % SHAMIR_PRIME
  })
  acc = mod(acc)
  if (acc >= 1n << 255n) return null
  return toBytes(acc, 32)
}
