/**
 * @module sign
 * secp256k1 signatures as Ethereum wallets make them: EIP-191 personal messages over a 32-byte
 * digest, and raw signatures over EIP-712 digests. The signing and recovery are `@krain/mpc`'s
 * (one implementation for party identities and audit logs): RFC 6979 deterministic nonces, low-s
 * (noble), recoverable (r ‖ s ‖ v, 65 bytes).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, getAddress, hashMessage, hexToBytes, isAddress, isHex, publicKeyToAddress } from 'viem/utils'
import { recoverHashSigner, signHash } from '@krain/mpc'

export type Hex = `0x${string}`
export type Address = `0x${string}`

// the key check, the address and the EIP-191 signature are `@krain/mpc`'s: one secp256k1 identity for both packages
export { aPrivateKey, addressOf, signDigest } from '@krain/mpc'

/**
 * An owner identity given as an address or a secp256k1 public key (33 or 65 bytes hex);
 * returns its checksummed address.
 */
export function toAddress(v: unknown, name: string): Address {
  if (typeof v !== 'string') throw new TypeError(`"${name}" expected an address or public key hex string, got ${typeof v}`)
  if (isAddress(v, { strict: false })) return getAddress(v)
  if (isHex(v) && (v.length === 68 || v.length === 132)) {
    try {
      return publicKeyToAddress(bytesToHex(secp256k1.Point.fromBytes(hexToBytes(v)).toBytes(false)))
    } catch {
      /* fall through */
    }
  }
  throw new RangeError(`"${name}" expected a 20-byte address or a secp256k1 public key`)
}

/** The EIP-191 signer of `digest`, or null. */
export const recoverDigestSigner = (digest: Uint8Array, signature: unknown): Address | null => recoverHashSigner(hexToBytes(hashMessage({ raw: digest })), signature)

/** Raw signature over an EIP-712 digest (what `signTypedData` gives). */
export const signTypedDigest = (privateKey: Hex, digest: Hex): Hex => signHash(privateKey, hexToBytes(digest))

/** The signer of an EIP-712 digest, or null. */
export const recoverTypedSigner = (digest: Hex, signature: unknown): Address | null => recoverHashSigner(hexToBytes(digest), signature)
