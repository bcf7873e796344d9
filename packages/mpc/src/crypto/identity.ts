/**
 * @module identity
 * Party and coordinator identities: secp256k1 keys with EIP-191 personal-message signatures, so an
 * Ethereum wallet address is an identity and any wallet (or viem's `signMessage` /
 * `verifyMessage`) produces and checks the same signatures. What is signed is always a 32-byte
 * SHA-256 digest of a domain-separated, canonical message body (EIP-191 over the raw bytes).
 *
 * Signing uses @noble/curves directly (synchronous, RFC 6979 deterministic nonces, low-s), which is
 * byte-identical to viem's local accounts.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { privateKeyToAddress } from 'viem/accounts'
import { bytesToHex, getAddress, hashMessage, hexToBytes, isAddress, isHex, publicKeyToAddress } from 'viem/utils'
import { MpcError } from '../errors.js'
import type { Address, Hex } from '../protocol/types.js'

/** The address (EIP-55 checksummed) of a secp256k1 private key. */
export function addressOf(privateKey: Hex): Address {
  return privateKeyToAddress(privateKey)
}

/** Check a 32-byte hex private key at the boundary. */
export function aPrivateKey(v: unknown, name: string): Hex {
  if (typeof v !== 'string' || !isHex(v)) throw new TypeError(`"${name}" expected a 0x-prefixed hex private key, got ${typeof v}`)
  if (v.length !== 66) throw new RangeError(`"${name}" expected 32 bytes of hex, got ${(v.length - 2) / 2} bytes`)
  const d = BigInt(v)
  if (d === 0n || d >= secp256k1.Point.CURVE().n) throw new RangeError(`"${name}" expected a secp256k1 scalar in [1, n)`)
  return v as Hex
}

/** Check an address at the boundary; returns it EIP-55 checksummed. */
export function anAddress(v: unknown, name: string): Address {
  if (typeof v !== 'string') throw new TypeError(`"${name}" expected an address string, got ${typeof v}`)
  if (!isAddress(v, { strict: false })) throw new RangeError(`"${name}" expected a 20-byte hex address, got ${JSON.stringify(v.slice(0, 50))}`)
  return getAddress(v)
}

/** Recoverable secp256k1 signature (r ‖ s ‖ v with v = 27 + recovery bit, 65 bytes hex) of a 32-byte hash, as wallets make it. */
export function signHash(privateKey: Hex, hash: Uint8Array): Hex {
  const rec = secp256k1.sign(hash, hexToBytes(privateKey), { prehash: false, format: 'recovered' })
  const out = new Uint8Array(65)
  out.set(rec.subarray(1, 65), 0)
  out[64] = 27 + rec[0]!
  return bytesToHex(out)
}

/** The address whose key made {@link signHash}'s `signature` over `hash`, or `null` if the signature is malformed. */
export function recoverHashSigner(hash: Uint8Array, signature: unknown): Address | null {
  if (!isSignature(signature)) return null
  const sig = hexToBytes(signature)
  const v = sig[64]!
  const recovery = v >= 27 ? v - 27 : v
  if (recovery !== 0 && recovery !== 1) return null
  const rec = new Uint8Array(65)
  rec[0] = recovery
  rec.set(sig.subarray(0, 64), 1)
  try {
    const pub = secp256k1.recoverPublicKey(rec, hash, { prehash: false })
    return publicKeyToAddress(bytesToHex(secp256k1.Point.fromBytes(pub).toBytes(false)))
  } catch {
    return null
  }
}

const isSignature = (v: unknown): v is Hex => typeof v === 'string' && /^0x[0-9a-fA-F]{130}$/.test(v)

/** The EIP-191 personal-message hash of a 32-byte digest (what a wallet's `signMessage({ message: { raw } })` signs). */
const eip191 = (digest: Uint8Array): Uint8Array => hexToBytes(hashMessage({ raw: digest }))

/** EIP-191 signature (r ‖ s ‖ v, 65 bytes hex) of a 32-byte digest. */
export function signDigest(privateKey: Hex, digest: Uint8Array): Hex {
  return signHash(privateKey, eip191(digest))
}

/**
 * Signers already recovered in this process, keyed by `digest ‖ signature`. Recovery is a pure
 * function of those bytes, so identical bytes need one verification: in one process (the
 * simulator, a gateway hosting several parties) every party checks the same roster, the same
 * member joins and the same contributor set. Bounded (least recently used entries go first), and
 * only successful recoveries are stored.
 */
const recovered = new Map<string, Address>()
const RECOVERED_MAX = 4096

/** The address that produced `signature` over `digest`, or `null` if the signature is malformed. */
export function recoverSigner(digest: Uint8Array, signature: Hex): Address | null {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return null
  const cacheKey = `${bytesToHex(digest)}${signature}`
  const hit = recovered.get(cacheKey)
  if (hit !== undefined) {
    recovered.delete(cacheKey)
    recovered.set(cacheKey, hit)
    return hit
  }
  const signer = recoverUncached(digest, signature)
  if (signer !== null) {
    if (recovered.size >= RECOVERED_MAX) recovered.delete(recovered.keys().next().value!)
    recovered.set(cacheKey, signer)
  }
  return signer
}

function recoverUncached(digest: Uint8Array, signature: Hex): Address | null {
  return recoverHashSigner(eip191(digest), signature)
}

/** Throw `MPC_BAD_SIGNATURE` unless `signature` over `digest` is by `expected`. */
export function assertSignedBy(digest: Uint8Array, signature: Hex, expected: Address, what: string): void {
  const signer = recoverSigner(digest, signature)
  if (signer === null || signer !== expected) {
    throw new MpcError('MPC_BAD_SIGNATURE', { shortMessage: `${what}: signature is not by ${expected}` })
  }
}
