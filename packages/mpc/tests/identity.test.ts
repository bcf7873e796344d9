import { describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import { verifyMessage } from 'viem'
import { signDigest, recoverSigner, addressOf } from '../src/index.js'
import { testKey } from './helpers.js'

describe('EIP-191 identities', () => {
  const key = testKey(42)
  const digest = new Uint8Array(32).map((_, i) => i * 7)

  it('our signatures verify with viem, and viem account signatures recover with ours (byte-identical)', async () => {
    const sig = signDigest(key, digest)
    const account = privateKeyToAccount(key)
    expect(await verifyMessage({ address: account.address, message: { raw: digest }, signature: sig })).toBe(true)
    const viemSig = await account.signMessage({ message: { raw: digest } })
    expect(viemSig).toBe(sig)
    expect(recoverSigner(digest, viemSig)).toBe(addressOf(key))
  })

  it('recovers another address (or null) for a wrong digest or malformed signature', () => {
    const sig = signDigest(key, digest)
    const other = digest.slice()
    other[0]! ^= 1
    expect(recoverSigner(other, sig)).not.toBe(addressOf(key))
    expect(recoverSigner(digest, '0x1234')).toBeNull()
    expect(recoverSigner(digest, `0x${'00'.repeat(65)}`)).toBeNull()
  })

  it('a signer recovered once (and remembered) is never credited with other bytes', () => {
    const d = new Uint8Array(32).map((_, i) => 255 - i)
    const sig = signDigest(key, d)
    expect(recoverSigner(d, sig)).toBe(addressOf(key))
    expect(recoverSigner(d, sig)).toBe(addressOf(key)) // remembered
    const otherDigest = d.slice()
    otherDigest[31]! ^= 1
    expect(recoverSigner(otherDigest, sig)).not.toBe(addressOf(key))
    const otherSig = `${sig.slice(0, 4)}${sig[4] === '0' ? '1' : '0'}${sig.slice(5)}` as typeof sig
    expect(recoverSigner(d, otherSig)).not.toBe(addressOf(key))
    expect(recoverSigner(d, signDigest(testKey(43), d))).toBe(addressOf(testKey(43)))
  })
})
