import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { didKey, didPkh, parseDid } from '../src/index.js'

describe('didKey', () => {
  it('matches the did:key spec prefix for each key type and round-trips', () => {
    const ed = ed25519.getPublicKey(ed25519.utils.randomSecretKey())
    const x = x25519.getPublicKey(x25519.utils.randomSecretKey())
    const k = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true)
    expect(didKey(ed, 'Ed25519')).toMatch(/^did:key:z6Mk/)
    expect(didKey(x, 'X25519')).toMatch(/^did:key:z6LS/)
    expect(didKey(k, 'secp256k1')).toMatch(/^did:key:zQ3s/)
    for (const [pk, t] of [[ed, 'Ed25519'], [x, 'X25519'], [k, 'secp256k1']] as const) {
      const p = parseDid(didKey(pk, t))
      expect(p).toMatchObject({ method: 'key', keyType: t })
      expect(p.method === 'key' && Buffer.from(p.publicKey).equals(Buffer.from(pk))).toBe(true)
    }
  })
  // example DID from the W3C CCG did:key specification
  it('decodes the spec example Ed25519 did:key', () => {
    const p = parseDid('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
    expect(p).toMatchObject({ method: 'key', keyType: 'Ed25519' })
    expect(p.method === 'key' && p.publicKey.length).toBe(32)
  })
  it('rejects a wrong key length', () => {
    expect(() => didKey(new Uint8Array(31), 'Ed25519')).toThrow(RangeError)
  })
})

describe('didPkh / parseDid', () => {
  it('checksums the address and round-trips', () => {
    const did = didPkh(8453, '0xab5801a7d398351b8be11c439e05c5b3259aec9b')
    expect(did).toBe('did:pkh:eip155:8453:0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B')
    expect(parseDid(did)).toMatchObject({ method: 'pkh', chainId: 8453, address: '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B' })
  })
  it.each(['did:web:example.com', 'did:pkh:eip155:0:0xab5801a7d398351b8be11c439e05c5b3259aec9b', 'did:pkh:eip155:1:0x12', 'did:key:z0OIl', 'did:key:z6Mk', 'not a did'])('refuses %s with IDENTITY_BAD_DID', (d) => {
    expect(() => parseDid(d)).toThrow(expect.objectContaining({ code: 'IDENTITY_BAD_DID' }))
  })
  it('refuses a bad chain id or address with RangeError', () => {
    expect(() => didPkh(0, '0xab5801a7d398351b8be11c439e05c5b3259aec9b')).toThrow(RangeError)
    expect(() => didPkh(1, '0x12')).toThrow(RangeError)
  })
})
