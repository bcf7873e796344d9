/** Deterministic test identities (secp256k1 keys) so failures are reproducible. */
import { bytesToHex } from 'viem/utils'
import { addressOf, type Hex } from '../src/index.js'

/** The k-th deterministic private key (k ≥ 1). */
export function testKey(k: number): Hex {
  const b = new Uint8Array(32)
  b[0] = 0x11
  b[31] = k & 0xff
  b[30] = (k >> 8) & 0xff
  return bytesToHex(b)
}

/** `n` party keys and a coordinator key. */
export function identities(n: number, offset = 0): { coordinatorKey: Hex; keys: Hex[]; addresses: ReturnType<typeof addressOf>[] } {
  const keys = Array.from({ length: n }, (_, i) => testKey(offset + i + 1))
  return { coordinatorKey: testKey(9000 + offset), keys, addresses: keys.map(addressOf) }
}
