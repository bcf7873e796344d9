import { describe, expect, it } from 'vitest'
import { generateEncryptionKeyPair, splitSecret, openCustodyShare, recoverSecret, MpcError } from '../src/index.js'
import { identities } from './helpers.js'

describe('t-of-n key custody', () => {
  const { addresses } = identities(5, 3000)
  const keys = addresses.map(() => generateEncryptionKeyPair())
  const holders = addresses.map((address, i) => ({ address, encryptionKey: keys[i]!.publicKey }))
  // a 3072-bit Paillier private key's (λ, μ) serialised as JSON: any bytes work
  const secret = new TextEncoder().encode(JSON.stringify({ lambda: 'f'.repeat(768), mu: 'a'.repeat(768) }))

  it('any 3 of 5 holders recover the secret; each share opens only with its holder key', async () => {
    const shares = await splitSecret({ secret, holders, threshold: 3 })
    expect(shares.map((s) => s.holder)).toEqual(addresses)
    const opened = shares.map((s, i) => openCustodyShare(s, keys[i]!))
    for (const pick of [[0, 1, 2], [2, 3, 4], [0, 2, 4], [4, 1, 3]]) {
      expect(await recoverSecret({ shares: pick.map((i) => opened[i]!), threshold: 3, secretDigest: shares[0]!.secretDigest })).toEqual(secret)
    }
    expect(() => openCustodyShare(shares[0]!, keys[1]!)).toThrow(MpcError)
    expect(() => openCustodyShare({ ...shares[0]!, index: 2 }, keys[0]!)).toThrow(MpcError) // context is bound
    await expect(recoverSecret({ shares: opened.slice(0, 2), threshold: 3, secretDigest: shares[0]!.secretDigest })).rejects.toThrow(MpcError)
  })

  it('a corrupted share is detected by the commitment and skipped when spares exist', async () => {
    const shares = await splitSecret({ secret, holders, threshold: 3 })
    const opened = shares.map((s, i) => openCustodyShare(s, keys[i]!))
    opened[1] = opened[1]!.slice()
    opened[1]![5]! ^= 0xff
    await expect(recoverSecret({ shares: opened.slice(0, 3), threshold: 3, secretDigest: shares[0]!.secretDigest })).rejects.toThrow(/committed secret/)
    expect(await recoverSecret({ shares: opened.slice(0, 4), threshold: 3, secretDigest: shares[0]!.secretDigest })).toEqual(secret)
  })

  it('validates its arguments', async () => {
    await expect(splitSecret({ secret, holders, threshold: 6 })).rejects.toThrow(RangeError)
    await expect(splitSecret({ secret: 'x' as never, holders, threshold: 2 })).rejects.toThrow(TypeError)
    await expect(splitSecret({ secret, holders: [holders[0]!, holders[0]!], threshold: 2 })).rejects.toThrow(RangeError)
  })
})
