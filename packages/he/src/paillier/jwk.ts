/**
 * @module paillier/jwk
 * The JWK-style key format of python-paillier's `pheutil` (phe/command_line.py, phe ≥ 1.4):
 *
 * ```json
 * { "kty": "DAJ", "alg": "PAI-GN1", "key_ops": ["encrypt"], "n": "<base64url>", "kid": "…" }
 * { "kty": "DAJ", "key_ops": ["decrypt"], "p": "…", "q": "…", "pub": { …public… }, "kid": "…" }
 * ```
 *
 * Integers are `phe.util.int_to_base64`: unpadded base64url of minimal big-endian bytes.
 * python-paillier also uses g = n + 1, so keys move both ways unchanged.
 */
import { HeSerializationError } from '../errors.js'
import { base64UrlToBigint, bigintToBase64Url } from './bytes.js'
import { parseJsonObject } from './serialize.js'
import { PaillierPrivateKey, PaillierPublicKey, type PaillierKeyOptions } from './keys.js'
import { shortTypeError } from './describe.js'

/** python-paillier's public JWK. */
export type PaillierPublicJwk = { kty: 'DAJ'; alg: 'PAI-GN1'; key_ops: ['encrypt']; n: string; kid?: string }
/** python-paillier's private JWK. */
export type PaillierPrivateJwk = { kty: 'DAJ'; key_ops: ['decrypt']; p: string; q: string; pub: PaillierPublicJwk; kid?: string }

function b64(o: Record<string, unknown>, f: string, name: string): bigint {
  const v = typeof o[f] === 'string' ? base64UrlToBigint(o[f] as string) : undefined
  if (v === undefined) throw new HeSerializationError({ shortMessage: `${name}.${f} must be base64url` })
  return v
}

/**
 * A public key as python-paillier's JWK.
 * @param publicKey - the key
 * @param kid - optional key id
 * @returns the JWK object
 * @example
 * ```ts
 * JSON.stringify(publicKeyToJwk(publicKey)) // readable by `pheutil encrypt`
 * ```
 */
export function publicKeyToJwk(publicKey: PaillierPublicKey, kid?: string): PaillierPublicJwk {
  if (!(publicKey instanceof PaillierPublicKey)) shortTypeError('publicKey', 'a PaillierPublicKey', publicKey)
  return { kty: 'DAJ', alg: 'PAI-GN1', key_ops: ['encrypt'], n: bigintToBase64Url(publicKey.n), ...(kid === undefined ? {} : { kid }) }
}

/**
 * Load a public key from python-paillier's JWK (object or JSON text).
 * @param jwk - the JWK
 * @param options - `unsafeAllowSmallKeyForTests`
 * @returns the key
 * @throws HeSerializationError, PaillierInvalidKeyError
 */
export function publicKeyFromJwk(jwk: unknown, options?: PaillierKeyOptions): PaillierPublicKey {
  const o = parseJsonObject(jwk, 'jwk')
  if (o.kty !== 'DAJ' || o.alg !== 'PAI-GN1') throw new HeSerializationError({ shortMessage: 'jwk is not a python-paillier public key (kty "DAJ", alg "PAI-GN1")' })
  return new PaillierPublicKey(b64(o, 'n', 'jwk'), options)
}

/**
 * A private key as python-paillier's JWK (p, q and the public JWK).
 * @param privateKey - the key
 * @param kid - optional key id
 * @returns the JWK object
 */
export function privateKeyToJwk(privateKey: PaillierPrivateKey, kid?: string): PaillierPrivateJwk {
  if (!(privateKey instanceof PaillierPrivateKey)) shortTypeError('privateKey', 'a PaillierPrivateKey', privateKey)
  return {
    kty: 'DAJ',
    key_ops: ['decrypt'],
    p: bigintToBase64Url(privateKey.p),
    q: bigintToBase64Url(privateKey.q),
    pub: publicKeyToJwk(privateKey.publicKey, kid),
    ...(kid === undefined ? {} : { kid }),
  }
}

/**
 * Load a private key from python-paillier's JWK.
 * @param jwk - the JWK
 * @param options - `unsafeAllowSmallKeyForTests`
 * @returns the key
 * @throws HeSerializationError, PaillierInvalidKeyError
 */
export function privateKeyFromJwk(jwk: unknown, options?: PaillierKeyOptions): PaillierPrivateKey {
  const o = parseJsonObject(jwk, 'jwk')
  if (o.kty !== 'DAJ' || !Array.isArray(o.key_ops) || !o.key_ops.includes('decrypt')) throw new HeSerializationError({ shortMessage: 'jwk is not a python-paillier private key' })
  const publicKey = publicKeyFromJwk(o.pub, options)
  return new PaillierPrivateKey(b64(o, 'p', 'jwk'), b64(o, 'q', 'jwk'), { ...options, publicKey })
}
