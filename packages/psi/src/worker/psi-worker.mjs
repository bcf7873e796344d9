/**
 * Worker of `@krain/psi` (plain JavaScript so the same file runs under tsx, vitest and the built
 * package). Two jobs, both on packed 32-byte records in transferred ArrayBuffers:
 *  - `hash`:  identifiers -> RFC 9380 map_to_curve_elligator2_curve25519 of
 *             SHA-512(DST || id) mod p -> X25519(k, u)
 *  - `blind`: u-coordinates -> X25519(k, u)
 *
 * Everything costly is native (OpenSSL through node:crypto):
 *  - X25519 is `diffieHellman` on KeyObjects; the peer's u-coordinate becomes a KeyObject through
 *    the JWK path (raw import, ~4× cheaper than the DER path, which runs OpenSSL's generic decoder).
 *  - Elligator 2 needs one Legendre symbol per identifier: gx^((p−1)/2) mod p. It is computed by an
 *    RSA "public key" whose modulus is p and whose exponent is (p−1)/2, applied with no padding
 *    (OpenSSL's Montgomery exponentiation, ~4× cheaper than noble's BigInt map). The inversions of
 *    the map are batched (Montgomery's trick, one BigInt inversion per slice).
 * A low-order input (all-zero X25519 output) is reported by index.
 */
import { parentPort } from 'node:worker_threads'
import { constants, createHash, createPrivateKey, createPublicKey, diffieHellman, publicEncrypt } from 'node:crypto'

const P = 2n ** 255n - 19n
const A = 486662n
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const DST = Buffer.from('KRAIN-PSI-V1_curve25519_SHA-512_ELL2_NU_')
const b64u = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex').toString('base64url')
/** gx ↦ gx^((p−1)/2) mod p, natively. */
const LEGENDRE = createPublicKey({ key: { kty: 'RSA', n: b64u(P), e: b64u((P - 1n) / 2n) }, format: 'jwk' })
const RSA_RAW = { key: LEGENDRE, padding: constants.RSA_NO_PADDING }

function privKey(raw) {
  return createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.from(raw)]), format: 'der', type: 'pkcs8' })
}

/** X25519(priv, u) for each 32-byte u of `src` into `out`; indices of failures into `bad`. */
function blindInto(priv, src, out, n, bad) {
  const jwk = { kty: 'OKP', crv: 'X25519', x: '' }
  const spec = { key: jwk, format: 'jwk' }
  const args = { privateKey: priv, publicKey: null }
  for (let i = 0; i < n; i++) {
    jwk.x = src.toString('base64url', i * 32, i * 32 + 32)
    try {
      args.publicKey = createPublicKey(spec)
      diffieHellman(args).copy(out, i * 32)
    } catch {
      bad.push(i)
    }
  }
}

const mod = (x) => {
  const r = x % P
  return r < 0n ? r + P : r
}

function invert(a) {
  // a^(p−2) via the extended Euclidean algorithm (BigInt), once per slice.
  let [r0, r1, s0, s1] = [P, mod(a), 0n, 1n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return mod(s0)
}

/** Little-endian 64-byte digest → field element. */
function leToBig(h) {
  return BigInt('0x' + Buffer.from(h).reverse().toString('hex'))
}

/** True when gx (in [1, p)) is a square mod p. */
function isSquare(gx) {
  const r = publicEncrypt(RSA_RAW, Buffer.from(gx.toString(16).padStart(64, '0'), 'hex'))
  // the output is 1 (square) or p − 1 (non-square), big-endian 32 bytes
  return r[31] === 1
}

/**
 * RFC 9380 §6.7.1 map_to_curve_elligator2 for curve25519 (Z = 2), u-coordinate only, for a batch
 * of field elements. Returns n × 32 bytes of little-endian u-coordinates.
 */
export function elligator2Batch(us) {
  const n = us.length
  const d = new Array(n)
  for (let i = 0; i < n; i++) {
    let tv1 = mod(2n * us[i] * us[i])
    if (tv1 === P - 1n) tv1 = 0n // exceptional case: 1 + Z·u² = 0
    d[i] = tv1 + 1n
  }
  // batch inversion of d (never 0 after the exceptional-case fix)
  const prefix = new Array(n)
  let acc = 1n
  for (let i = 0; i < n; i++) (prefix[i] = acc), (acc = (acc * d[i]) % P)
  let inv = n ? invert(acc) : 1n
  const dinv = new Array(n)
  for (let i = n - 1; i >= 0; i--) (dinv[i] = (inv * prefix[i]) % P), (inv = (inv * d[i]) % P)
  const out = Buffer.alloc(n * 32)
  for (let i = 0; i < n; i++) {
    const x1 = mod(-A * dinv[i])
    const gx1 = (x1 * ((x1 * (x1 + A) + 1n) % P)) % P
    const x = isSquare(gx1) ? x1 : mod(-x1 - A)
    Buffer.from(x.toString(16).padStart(64, '0'), 'hex').reverse().copy(out, i * 32)
  }
  return out
}

/** Hash identifiers (concatenated UTF-8 `bytes`, boundaries in `offsets`) to u-coordinates. */
export function hashToCurve(bytes, offsets) {
  const n = offsets.length - 1
  const us = new Array(n)
  for (let i = 0; i < n; i++) {
    const h = createHash('sha512').update(DST).update(bytes.subarray(offsets[i], offsets[i + 1])).digest()
    us[i] = leToBig(h) % P
  }
  return elligator2Batch(us)
}

function reply(id, out, bad) {
  const ab = out.buffer.slice(out.byteOffset, out.byteOffset + out.length)
  parentPort.postMessage({ id, out: ab, bad }, [ab])
}

if (parentPort) {
  parentPort.on('message', (msg) => {
    const { id, job, key, data, offsets } = msg
    try {
      const priv = privKey(key)
      const bad = []
      const src = job === 'hash' ? hashToCurve(Buffer.from(data), offsets) : Buffer.from(data)
      const n = src.length / 32
      const out = Buffer.alloc(n * 32)
      blindInto(priv, src, out, n, bad)
      reply(id, out, bad)
    } catch (e) {
      parentPort.postMessage({ id, error: String(e && e.message ? e.message : e) })
    }
  })
}
