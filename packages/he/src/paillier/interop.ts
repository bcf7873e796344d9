/**
 * @module paillier/interop
 * Conversion to and from paillier-bigint's keys, so ciphertexts move between the two libraries.
 * Only paillier-bigint's "simple variant" (g = n + 1) is compatible; a key with a random g is
 * refused.
 */
import * as pb from 'paillier-bigint'
import { PaillierInvalidKeyError } from '../errors.js'
import { PaillierPrivateKey, PaillierPublicKey, type PaillierKeyOptions, type PaillierKeyPair } from './keys.js'
import { modInverse } from '../bigint/bigint-math.js'
import { shortTypeError } from './describe.js'

/**
 * paillier-bigint keys (g = n + 1) for our key pair.
 * @param keys - `{ publicKey, privateKey? }`
 * @returns paillier-bigint's `{ publicKey, privateKey }` (privateKey when given)
 * @example
 * ```ts
 * const theirs = toPaillierBigint({ publicKey, privateKey })
 * theirs.privateKey.decrypt(encrypt(publicKey, 5n).value) // 5n
 * ```
 */
export function toPaillierBigint(keys: { publicKey: PaillierPublicKey; privateKey?: PaillierPrivateKey }): { publicKey: pb.PublicKey; privateKey?: pb.PrivateKey } {
  if (!(keys?.publicKey instanceof PaillierPublicKey)) shortTypeError('keys.publicKey', 'a PaillierPublicKey', keys?.publicKey)
  const publicKey = new pb.PublicKey(keys.publicKey.n, keys.publicKey.g)
  if (keys.privateKey === undefined) return { publicKey }
  const sk = keys.privateKey
  const mu = modInverse(sk.phi, sk.n)!
  return { publicKey, privateKey: new pb.PrivateKey(sk.phi, mu, publicKey, sk.p, sk.q) }
}

/**
 * Our keys from paillier-bigint's (generated with `generateRandomKeys(bits, true)`: g = n + 1).
 * The private key needs its factors, which paillier-bigint keeps when it generated the key.
 * @param keys - paillier-bigint's `{ publicKey, privateKey? }`
 * @param options - `unsafeAllowSmallKeyForTests`
 * @returns our `{ publicKey, privateKey? }`
 * @throws PaillierInvalidKeyError when g ≠ n + 1 or the private key lacks p and q
 */
export function fromPaillierBigint(
  keys: { publicKey: pb.PublicKey; privateKey?: pb.PrivateKey },
  options?: PaillierKeyOptions,
): { publicKey: PaillierPublicKey; privateKey?: PaillierPrivateKey } {
  const theirs = keys?.publicKey
  if (!(theirs instanceof pb.PublicKey)) shortTypeError('keys.publicKey', "a paillier-bigint PublicKey", theirs)
  if (theirs.g !== theirs.n + 1n) throw new PaillierInvalidKeyError({ shortMessage: 'only paillier-bigint keys with g = n + 1 are supported', details: 'generate them with generateRandomKeys(bits, true)' })
  const publicKey = new PaillierPublicKey(theirs.n, options)
  if (keys.privateKey === undefined) return { publicKey }
  const f = factorsOf(keys.privateKey)
  if (f === undefined) throw new PaillierInvalidKeyError({ shortMessage: 'the paillier-bigint private key does not carry p and q' })
  const privateKey = new PaillierPrivateKey(f.p, f.q, { ...options, publicKey })
  return { publicKey, privateKey } satisfies Partial<PaillierKeyPair>
}

/** p and q of a paillier-bigint private key: it keeps them in fields its types mark private (`_p`, `_q`). */
function factorsOf(sk: object): { p: bigint; q: bigint } | undefined {
  return '_p' in sk && '_q' in sk && typeof sk._p === 'bigint' && typeof sk._q === 'bigint' ? { p: sk._p, q: sk._q } : undefined
}
