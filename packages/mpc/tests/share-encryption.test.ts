import { describe, expect, it } from 'vitest'
import { deriveShareKey, generateEncryptionKeyPair, openBytes, sealBytes, shareAad } from '../src/crypto/share-encryption.js'
import { deriveShareKeyNoble, openBytesNoble, sealBytesNoble } from './noble-share-cipher.js'
import { MpcError } from '../src/index.js'

describe('share encryption', () => {
  const a = generateEncryptionKeyPair()
  const b = generateEncryptionKeyPair()
  const ctx = { sessionId: '0xsession', from: '0xA', to: '0xB', label: 'share' }
  const aad = shareAad('0xsession', 'share', '0xA', '0xB')
  const msg = new Uint8Array(1000).map((_, i) => i * 31)

  it('node:crypto and the pure-JS path derive the same keys and open each other’s ciphertexts', () => {
    const kA = deriveShareKey({ own: a, peerPublicKey: b.publicKey, ...ctx })
    const kB = deriveShareKey({ own: b, peerPublicKey: a.publicKey, ...ctx })
    expect(kA).toEqual(kB)
    expect(deriveShareKeyNoble({ own: a, peerPublicKey: b.publicKey, ...ctx })).toEqual(kA)
    expect(openBytesNoble(kB, sealBytes(kA, msg, aad), aad)).toEqual(msg)
    expect(openBytes(kB, sealBytesNoble(kA, msg, aad), aad)).toEqual(msg)
  })

  it('refuses a ciphertext moved to another context or altered, and a low-order key', () => {
    const k = deriveShareKey({ own: a, peerPublicKey: b.publicKey, ...ctx })
    const ct = sealBytes(k, msg, aad)
    expect(openBytes(k, ct, shareAad('0xsession', 'share', '0xA', '0xC'))).toBeNull()
    expect(openBytes(deriveShareKey({ own: a, peerPublicKey: b.publicKey, ...ctx, to: '0xC' }), ct, aad)).toBeNull()
    const bad = ct.slice()
    bad[30]! ^= 1
    expect(openBytes(k, bad, aad)).toBeNull()
    const zeroPoint = Buffer.alloc(32).toString('base64')
    expect(() => deriveShareKey({ own: a, peerPublicKey: zeroPoint, ...ctx })).toThrow(MpcError)
    expect(() => deriveShareKeyNoble({ own: a, peerPublicKey: zeroPoint, ...ctx })).toThrow(MpcError)
  })
})
