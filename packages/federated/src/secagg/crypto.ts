/**
 * @module secagg/crypto
 * Primitives of the masked aggregation (Bonawitz et al. 2017): X25519 key agreement and AES-GCM
 * share encryption through node:crypto, an AES-128-CTR PRG expanding a 32-byte seed into a mask
 * over Z_2^64, HKDF (RFC 5869, HMAC-SHA-256) for per-round pair seeds, Ed25519 message signatures,
 * and a small t-of-n Shamir sharing of 32-byte secrets over GF(2^255 − 19).
 */
import { createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, createHash, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto'

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
  // little-endian word order is immaterial: every word is uniform; a fresh keystream buffer is
  // 4-byte aligned unless it came from the small-buffer pool
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, 2 * length)
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 8 * length))
}

/** AES-256-GCM encrypt with associated data; output = iv(12) ‖ ciphertext ‖ tag(16). */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string, iv: Uint8Array = randomBytes(12)): Uint8Array {
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
 * t-of-n Shamir sharing of 32-byte secrets over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1),
 * byte by byte as in SLIP-39 / HashiCorp Vault: a share is 32 bytes, points x = 1..255. Any
 * t shares rebuild the secret; fewer are independent of it (information-theoretic).
 */
const EXP = new Uint8Array(510)
const LOG = new Uint8Array(256)
{
  let v = 1
  for (let i = 0; i < 255; i++) {
    EXP[i] = v
    LOG[v] = i
    v ^= (v << 1) ^ (v & 0x80 ? 0x11b : 0) // v · 3
    v &= 0xff
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!
}
const gmul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!)
const gdiv = (a: number, b: number): number => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!)

/** Split a 32-byte secret into shares at points x ∈ 1..255, any `threshold` of which recover it. */
export function shamirSplit(secret: Uint8Array, points: readonly number[], threshold: number): Uint8Array[] {
  if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new RangeError('"secret" expected 32 bytes')
  for (const x of points) if (!Number.isInteger(x) || x < 1 || x > 255) throw new RangeError(`"points" expected integers in 1..255, got ${x}`)
  const rnd = randomBytes(32 * Math.max(0, threshold - 1))
  return points.map((x) => {
    const out = new Uint8Array(32)
    const lx = LOG[x]!
    for (let b = 0; b < 32; b++) {
      // Horner from the top coefficient: acc = acc·x + c_k
      let acc = 0
      for (let k = threshold - 1; k >= 1; k--) acc = (acc === 0 ? 0 : EXP[LOG[acc]! + lx]!) ^ rnd[(k - 1) * 32 + b]!
      out[b] = (acc === 0 ? 0 : EXP[LOG[acc]! + lx]!) ^ secret[b]!
    }
    return out
  })
}

const lagrangeCache = new Map<string, number[]>()
function lagrangeAtZero(xs: readonly number[]): number[] {
  const key = xs.join(',')
  let l = lagrangeCache.get(key)
  if (!l) {
    l = xs.map((x) => {
      let num = 1
      let den = 1
      for (const o of xs) {
        if (o === x) continue
        num = gmul(num, o) // (0 − o) = o in characteristic 2
        den = gmul(den, x ^ o)
      }
      return gdiv(num, den)
    })
    if (lagrangeCache.size > 256) lagrangeCache.clear()
    lagrangeCache.set(key, l)
  }
  return l
}

/** Lagrange interpolation at 0 of `threshold` (or more) shares; `null` on repeated or invalid points. */
export function shamirCombine(shares: readonly { x: number; share: Uint8Array }[]): Uint8Array | null {
  if (new Set(shares.map((s) => s.x)).size !== shares.length) return null
  if (shares.some((s) => !Number.isInteger(s.x) || s.x < 1 || s.x > 255 || s.share.length !== 32)) return null
  const l = lagrangeAtZero(shares.map((s) => s.x))
  const out = new Uint8Array(32)
  shares.forEach(({ share }, k) => {
    const lk = l[k]!
    for (let b = 0; b < 32; b++) out[b]! ^= gmul(share[b]!, lk)
  })
  return out
}

/**
 * HKDF-Extract (RFC 5869): PRK = HMAC-SHA-256(salt, ikm). Used once per pair and session on the
 * X25519 output; the per-round seeds are then {@link hkdfExpand32} of that PRK.
 */
export function hkdfExtract(salt: string, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', salt).update(ikm).digest())
}

const ONE = Uint8Array.of(1)

/** HKDF-Expand (RFC 5869) to one 32-byte block: T(1) = HMAC-SHA-256(PRK, info ‖ 0x01). */
export function hkdfExpand32(prk: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', prk).update(info).update(ONE).digest())
}

const ED_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** A fresh Ed25519 signing key: its private KeyObject and raw 32-byte public key. */
export function generateSigningKey(): { privateKey: KeyObject; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { privateKey, publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(ED_SPKI_PREFIX.length)) }
}

/** A node:crypto Ed25519 public KeyObject from raw 32 bytes. */
export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError(`"publicKey" expected 32 bytes, got ${publicKey.length}`)
  return createPublicKey({ key: Buffer.concat([ED_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
}

/** Ed25519 signature (64 bytes) of `message`. */
export function signBytes(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, message, privateKey))
}

/** Ed25519 verification; `false` for a wrong or malformed signature. */
export function verifyBytes(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false
  try {
    return edVerify(null, message, publicKey, signature)
  } catch {
    return false
  }
}

/** SHA-256 of the concatenation of byte strings and strings. */
export function sha256Of(...parts: (Uint8Array | string)[]): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
