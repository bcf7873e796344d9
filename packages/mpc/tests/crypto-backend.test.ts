/**
 * The two share-cipher backends (`#crypto-backend`: node:crypto in Node, @noble/* under the
 * `browser` condition) are byte-compatible: each opens what the other sealed, they derive the same
 * keys and digests, and the browser backend's base64 agrees with Node's.
 */
import { describe, expect, it } from 'vitest'
import * as node from '../src/crypto/backend-node.js'
import * as browser from '../src/crypto/backend-browser.js'

describe('the node and browser crypto backends', () => {
  const msg = new Uint8Array(4099).map((_, i) => (i * 131) & 0xff)
  const aad = node.utf8('krain-mpc/v1|session|share|0xA|0xB')

  it('agree on X25519, HKDF and SHA-256, and each opens what the other sealed', () => {
    const a = node.x25519KeyPair()
    const b = browser.x25519KeyPair()
    const kA = node.hkdfSha256(node.x25519Agree(a, b.publicKey), 'session', 'info')
    const kB = browser.hkdfSha256(browser.x25519Agree(b, a.publicKey), 'session', 'info')
    expect(kB).toEqual(kA)
    expect(browser.aesGcmOpen(kB, node.aesGcmSeal(kA, msg, aad), aad)).toEqual(msg)
    expect(node.aesGcmOpen(kA, browser.aesGcmSeal(kB, msg, aad), aad)).toEqual(msg)
    // a changed AAD or byte is refused by both
    const sealed = browser.aesGcmSeal(kB, msg, aad)
    sealed[40]! ^= 1
    expect(node.aesGcmOpen(kA, sealed, aad)).toBeNull()
    expect(browser.aesGcmOpen(kB, node.aesGcmSeal(kA, msg, aad), node.utf8('other'))).toBeNull()
    for (const s of ['', 'krain ✓ ünïcode', 'x'.repeat(70_000)]) expect(browser.sha256(s)).toEqual(node.sha256(s))
    const ascii = 'QUJD'.repeat(1000)
    expect(browser.sha256(ascii, true)).toEqual(node.sha256(ascii, true))
    expect(browser.sha256Concat(['a|', msg])).toEqual(node.sha256Concat(['a|', msg]))
    expect(browser.toHex(msg)).toBe(node.toHex(msg))
  })

  it('encode and check base64 the same way', () => {
    for (const n of [0, 1, 2, 3, 31, 32, 33, 100_000]) {
      const bytes = msg.length >= n ? msg.subarray(0, n) : new Uint8Array(n).fill(7)
      expect(browser.toBase64(bytes)).toBe(node.toBase64(bytes))
      expect(browser.fromBase64(node.toBase64(bytes))).toEqual(node.fromBase64(node.toBase64(bytes)))
    }
    const key = node.x25519KeyPair().publicKey
    for (const s of [key, key.slice(1), `${key.slice(0, -2)}==`, 'A'.repeat(44), `${'A'.repeat(43)}B`, ' '.repeat(44), 42, null]) expect(browser.isBase64Of(s, 32), String(s)).toBe(node.isBase64Of(s, 32))
  })
})
