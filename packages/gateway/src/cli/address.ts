/**
 * @module cli/address
 * A wallet key's Ethereum address without loading viem (whose import alone costs more than the
 * CLI's start-up budget): secp256k1 from node:crypto, Keccak-256 from @noble/hashes, EIP-55 checksum.
 */
import { createECDH, randomBytes } from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** The EIP-55 checksummed address of a 0x-hex secp256k1 private key. */
export function addressOfKey(privateKey: `0x${string}`): `0x${string}` {
  const ecdh = createECDH('secp256k1')
  ecdh.setPrivateKey(Buffer.from(privateKey.slice(2), 'hex')) // throws for 0 or ≥ the group order
  const lower = hex(keccak_256(ecdh.getPublicKey(null, 'uncompressed').subarray(1))).slice(24)
  const h = hex(keccak_256(new TextEncoder().encode(lower)))
  return `0x${[...lower].map((c, i) => (parseInt(h[i]!, 16) >= 8 ? c.toUpperCase() : c)).join('')}`
}

/** A new random secp256k1 private key (0x-hex), valid by construction (checked by node:crypto). */
export function newPrivateKey(): `0x${string}` {
  for (;;) {
    const k = `0x${randomBytes(32).toString('hex')}` as const
    try {
      addressOfKey(k)
      return k
    } catch {
      // outside [1, n-1]: vanishingly rare, draw again
    }
  }
}
