/**
 * @module sign
 * secp256k1 signatures as Ethereum wallets make them: EIP-191 personal messages over a 32-byte
 * digest (the same as `@krain/mpc`'s party identities), and raw signatures over EIP-712 digests.
 * RFC 6979 deterministic nonces, low-s (noble), recoverable (r ‖ s ‖ v, 65 bytes).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, getAddress, hashMessage, hexToBytes, isAddress, isHex, publicKeyToAddress } from 'viem/utils'
import { privateKeyToAddress } from 'viem/accounts'

export type Hex = `0x${string}`
export type Address = `0x${string}`

/** Check a 32-byte hex private key. */
export function aPrivateKey(v: unknown, name: string): Hex {
  if (typeof v !== 'string' || !isHex(v)) throw new TypeError(`"${name}" expected a 0x-prefixed hex private key, got ${typeof v}`)
  if (v.length !== 66) throw new RangeError(`"${name}" expected 32 bytes of hex`)
  const d = BigInt(v)
  if (d === 0n || d >= secp256k1.Point.CURVE().n) throw new RangeError(`"${name}" expected a secp256k1 scalar in [1, n)`)
  return v as Hex
}

/** The checksummed address of a private key. */
export const addressOf = (privateKey: Hex): Address => privateKeyToAddress(privateKey)

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

function sign65(h: Uint8Array, privateKey: Hex): Hex {
  const rec = secp256k1.sign(h, hexToBytes(privateKey), { prehash: false, format: 'recovered' })
  const out = new Uint8Array(65)
  out.set(rec.subarray(1, 65), 0)
  out[64] = 27 + rec[0]!
  return bytesToHex(out)
}

function recover65(h: Uint8Array, signature: unknown): Address | null {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return null
  const sig = hexToBytes(signature as Hex)
  const v = sig[64]!
  const recovery = v >= 27 ? v - 27 : v
  if (recovery !== 0 && recovery !== 1) return null
  const rec = new Uint8Array(65)
  rec[0] = recovery
  rec.set(sig.subarray(0, 64), 1)
  try {
    const pub = secp256k1.recoverPublicKey(rec, h, { prehash: false })
    return publicKeyToAddress(bytesToHex(secp256k1.Point.fromBytes(pub).toBytes(false)))
  } catch {
    return null
  }
}

/** EIP-191 signature of a 32-byte digest (what a wallet's `signMessage({ message: { raw } })` gives). */
export const signDigest = (privateKey: Hex, digest: Uint8Array): Hex => sign65(hexToBytes(hashMessage({ raw: digest })), privateKey)

/** The EIP-191 signer of `digest`, or null. */
export const recoverDigestSigner = (digest: Uint8Array, signature: unknown): Address | null => recover65(hexToBytes(hashMessage({ raw: digest })), signature)

/** Raw signature over an EIP-712 digest (what `signTypedData` gives). */
export const signTypedDigest = (privateKey: Hex, digest: Hex): Hex => sign65(hexToBytes(digest), privateKey)

/** The signer of an EIP-712 digest, or null. */
export const recoverTypedSigner = (digest: Hex, signature: unknown): Address | null => recover65(hexToBytes(digest), signature)
