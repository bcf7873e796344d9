/**
 * The checksum of ciphertext envelopes and evaluation-key bundles is SHA-256 through node:crypto
 * in Node and @noble/hashes in a browser: the two give the same digest, so a bundle made in one
 * opens in the other.
 */
import { sha256 as noble } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../src/inference/envelope.js'

describe('envelope sha256', () => {
  it('is node:crypto in Node and equals @noble/hashes on every size', () => {
    expect(sha256).not.toBe(noble)
    for (const n of [0, 1, 55, 56, 64, 1000, 1 << 20]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff)
      expect(sha256(bytes)).toEqual(noble(bytes))
    }
  })
})
