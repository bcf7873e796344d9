/**
 * @module registry/arguments
 * Boundary checks of the chain-specific arguments: addresses and 32-byte record ids.
 */
import { getAddress, isAddress, type Address, type Hex } from 'viem'

/** An address argument, checksummed. */
export function anAddress(v: unknown, name: string): Address {
  if (typeof v !== 'string' || !isAddress(v, { strict: false })) throw new TypeError(`"${name}" expected a 20-byte 0x address, got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 44)) : typeof v}`)
  return getAddress(v)
}

/** A 32-byte hex id, lower-cased. */
export function anId(v: unknown, name: string): Hex {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new TypeError(`"${name}" expected a 32-byte 0x hex id`)
  return `0x${v.slice(2).toLowerCase()}`
}
