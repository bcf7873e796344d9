/**
 * @module did
 * Decentralised identifiers for Krain subjects:
 * - wallets: `did:pkh:eip155:<chainId>:<address>` (CAIP-10 account, did:pkh method spec);
 * - MPC party keys: `did:key:z<base58btc(multicodec varint prefix ‖ raw public key)>` (W3C CCG
 *   did:key spec; multicodec table: ed25519-pub 0xed, x25519-pub 0xec, secp256k1-pub 0xe7
 *   with the 33-byte compressed key).
 */
import { base58 } from '@scure/base'
import { getAddress, isAddress } from 'viem'
import { aPositiveInt, aString } from '@krain/core'
import { IdentityError } from '../errors.js'

/** Key types `did:key` supports here. */
export type DidKeyType = 'Ed25519' | 'X25519' | 'secp256k1'

const CODECS: Record<DidKeyType, { prefix: [number, number]; length: number }> = {
  Ed25519: { prefix: [0xed, 0x01], length: 32 },
  X25519: { prefix: [0xec, 0x01], length: 32 },
  secp256k1: { prefix: [0xe7, 0x01], length: 33 },
}

/** A parsed DID. */
export type ParsedDid =
  | { method: 'pkh'; did: string; chainId: number; address: `0x${string}` }
  | { method: 'key'; did: string; keyType: DidKeyType; publicKey: Uint8Array }

/**
 * The did:pkh of an EVM account.
 * @param chainId - EIP-155 chain id
 * @param address - 0x address (checksummed in the result)
 * @returns `did:pkh:eip155:<chainId>:<address>`
 * @throws RangeError on a bad chain id or address
 * @example
 * ```ts
 * didPkh(8453, '0xab5801a7d398351b8be11c439e05c5b3259aec9b') // did:pkh:eip155:8453:0xAb58…
 * ```
 */
export function didPkh(chainId: number, address: string): string {
  aPositiveInt(chainId, 'chainId')
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) throw new RangeError(`"address" expected a 0x EVM address, got ${String(address).slice(0, 64)}`)
  return `did:pkh:eip155:${chainId}:${getAddress(address)}`
}

/**
 * The did:key of a public key.
 * @param publicKey - raw key: 32 bytes (Ed25519, X25519) or 33 bytes compressed (secp256k1)
 * @param keyType - the key's type
 * @throws RangeError on a wrong key length
 * @example
 * ```ts
 * didKey(ed25519.getPublicKey(sk), 'Ed25519') // did:key:z6Mk…
 * ```
 */
export function didKey(publicKey: Uint8Array, keyType: DidKeyType): string {
  if (!(publicKey instanceof Uint8Array)) throw new TypeError('"publicKey" expected a Uint8Array')
  const c = CODECS[keyType]
  if (!c) throw new RangeError(`"keyType" expected Ed25519, X25519 or secp256k1, got ${String(keyType)}`)
  if (publicKey.length !== c.length) throw new RangeError(`"publicKey" expected ${c.length} bytes for ${keyType}, got ${publicKey.length}`)
  const bytes = new Uint8Array(2 + c.length)
  bytes.set(c.prefix); bytes.set(publicKey, 2)
  return `did:key:z${base58.encode(bytes)}`
}

/**
 * Parse a did:pkh (eip155) or did:key.
 * @throws IdentityError `IDENTITY_BAD_DID` on anything else or a malformed DID
 */
export function parseDid(did: string): ParsedDid {
  aString(did, 'did', 512)
  const bad = (why: string): never => { throw new IdentityError({ code: 'IDENTITY_BAD_DID', shortMessage: `not a supported DID: ${why}`, details: did.slice(0, 128) }) }
  const pkh = /^did:pkh:eip155:([1-9]\d{0,15}):(0x[0-9a-fA-F]{40})$/.exec(did)
  if (pkh) {
    const chainId = Number(pkh[1])
    if (!Number.isSafeInteger(chainId)) bad('chain id')
    if (!isAddress(pkh[2]!, { strict: false })) bad('address checksum')
    return { method: 'pkh', did, chainId, address: getAddress(pkh[2]!) }
  }
  const key = /^did:key:z([1-9A-HJ-NP-Za-km-z]+)$/.exec(did)
  if (key) {
    let bytes: Uint8Array = new Uint8Array()
    try { bytes = base58.decode(key[1]!) } catch { bad('base58btc') }
    for (const [keyType, c] of Object.entries(CODECS) as [DidKeyType, (typeof CODECS)[DidKeyType]][]) {
      if (bytes[0] === c.prefix[0] && bytes[1] === c.prefix[1]) {
        if (bytes.length !== 2 + c.length) bad(`${keyType} key length`)
        return { method: 'key', did, keyType, publicKey: bytes.slice(2) }
      }
    }
    return bad('unsupported multicodec')
  }
  return bad('method')
}
