/**
 * @module key-custody
 * t-of-n custody of any secret (a Paillier private key, a CKKS secret key, a wallet key): split with
 * `shamir-secret-sharing` (Shamir over GF(2^8), byte-wise, the library audited for Privy), each
 * share sealed to its holder's X25519 key (ephemeral X25519 + HKDF + AES-256-GCM, bound to the
 * custody id, the holder and the share index), and a SHA-256 commitment to the secret so a
 * recovery from a wrong share is detected instead of silently returning garbage.
 */
import { split, combine } from 'shamir-secret-sharing'
import { anArray, anIntInRange, anObject, aBytes } from '@krain/core'
import { bytesToHex } from 'viem/utils'
import { MpcError } from '../errors.js'
import { anAddress } from '../crypto/identity.js'
import { sha256Hex } from '../crypto/digest.js'
import { openSealed, sealTo, isBase64Of, type EncryptionKeyPair } from '../crypto/share-encryption.js'
import type { Address, Hex } from '../protocol/types.js'

/** One holder's encrypted custody share. Plain JSON. */
export type CustodyShare = {
  type: 'custody-share'
  custodyId: Hex
  holder: Address
  /** 1-based position of this share. */
  index: number
  threshold: number
  holders: number
  /** SHA-256 of the secret (checks a recovery). */
  secretDigest: Hex
  /** base64 of the sealed share. */
  sealed: string
}

/** Parameters of {@link splitSecret}. */
export type SplitSecretParameters = {
  secret: Uint8Array
  /** Holders with their X25519 public keys (base64 of 32 bytes), 2..255 of them. */
  holders: readonly { address: string; encryptionKey: string }[]
  /** t, 2 ≤ t ≤ holders. */
  threshold: number
}

const custodyError = (shortMessage: string, details?: string): MpcError => new MpcError('MPC_CUSTODY', { shortMessage, details })
const context = (s: Pick<CustodyShare, 'custodyId' | 'holder' | 'index' | 'threshold' | 'holders' | 'secretDigest'>): string =>
  `custody|${s.custodyId}|${s.holder}|${s.index}|${s.threshold}/${s.holders}|${s.secretDigest}`

/**
 * Split a secret into n shares, any t of which recover it, each encrypted to its holder.
 * @returns one {@link CustodyShare} per holder, in order
 * @throws TypeError / RangeError on bad arguments
 * @example
 * ```ts
 * const shares = await splitSecret({ secret: keyBytes, holders, threshold: 3 })
 * ```
 */
export async function splitSecret({ secret, holders, threshold }: SplitSecretParameters): Promise<CustodyShare[]> {
  aBytes(secret, 'secret')
  if (secret.length === 0) throw new RangeError('"secret" expected at least 1 byte')
  const hs = anArray<{ address: string; encryptionKey: string }>(holders, 'holders', 2, 255).map((h, i) => {
    anObject(h, `holders[${i}]`)
    if (!isBase64Of(h.encryptionKey, 32)) throw new RangeError(`"holders[${i}].encryptionKey" expected base64 of 32 bytes`)
    return { address: anAddress(h.address, `holders[${i}].address`), encryptionKey: h.encryptionKey }
  })
  if (new Set(hs.map((h) => h.address)).size !== hs.length) throw new RangeError('"holders" expected distinct addresses')
  anIntInRange(threshold, 'threshold', 2, hs.length)
  const parts = await split(secret, hs.length, threshold)
  const custodyId = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)))
  const secretDigest = sha256Hex(secret)
  return hs.map((h, i) => {
    const meta = { custodyId, holder: h.address, index: i + 1, threshold, holders: hs.length, secretDigest }
    const sealed = sealTo(h.encryptionKey, parts[i]!, context(meta))
    return { type: 'custody-share', ...meta, sealed: Buffer.from(sealed).toString('base64') }
  })
}

/**
 * A holder opens its share with its X25519 key pair.
 * @returns the plain Shamir share (give it only to whoever recovers)
 * @throws `MPC_CUSTODY` if the share is not for this key or was altered
 */
export function openCustodyShare(share: CustodyShare, key: EncryptionKeyPair): Uint8Array {
  anObject(share, 'share')
  if (share.type !== 'custody-share' || typeof share.sealed !== 'string') throw new TypeError('"share" expected a custody-share')
  const plain = openSealed(key, Buffer.from(share.sealed, 'base64'), context(share))
  if (!plain) throw custodyError('custody share does not open with this key (wrong holder or altered)')
  return plain
}

/** Parameters of {@link recoverSecret}. */
export type RecoverSecretParameters = {
  /** Opened shares (at least t). */
  shares: readonly Uint8Array[]
  threshold: number
  /** `secretDigest` from the custody shares: the recovery is checked against it. */
  secretDigest: Hex
}

/**
 * Recover the secret from at least t opened shares. With more than t, a wrong share is skipped
 * (subsets of t are tried until one matches the digest).
 * @throws `MPC_CUSTODY` when no t of the shares give the committed secret
 */
export async function recoverSecret({ shares, threshold, secretDigest }: RecoverSecretParameters): Promise<Uint8Array> {
  anArray(shares, 'shares', 1, 255).forEach((s, i) => aBytes(s, `shares[${i}]`))
  anIntInRange(threshold, 'threshold', 2, 255)
  if (shares.length < threshold) throw custodyError(`need ${threshold} shares, have ${shares.length}`)
  const pick = (k: number, from: number, acc: number[], out: number[][]): void => {
    if (out.length >= 5000) return
    if (acc.length === k) return void out.push([...acc])
    for (let i = from; i < shares.length; i++) pick(k, i + 1, [...acc, i], out)
  }
  const subsets: number[][] = []
  pick(threshold, 0, [], subsets)
  for (const idx of subsets) {
    try {
      const secret = await combine(idx.map((i) => shares[i]!))
      if (sha256Hex(secret) === secretDigest) return secret
    } catch {
      // a malformed share in this subset: try the next one
    }
  }
  throw custodyError('no t of the given shares recover the committed secret')
}
