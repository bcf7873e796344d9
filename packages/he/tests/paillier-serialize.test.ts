import { describe, expect, it } from 'vitest'
import {
  HeSerializationError,
  PaillierInvalidCiphertextError,
  PaillierInvalidKeyError,
  HeKeyMismatchError,
  createFixedPointEncoder,
  createPacker,
  decrypt,
  deserializeCiphertext,
  deserializePackedCiphertext,
  deserializePrivateKey,
  deserializePublicKey,
  encrypt,
  privateKeyFromJwk,
  privateKeyToJwk,
  publicKeyFromJwk,
  publicKeyToJwk,
  serializeCiphertext,
  serializePackedCiphertext,
  serializePrivateKey,
  serializePublicKey,
} from '../src/index.js'
import { bigintToBase64Url } from '../src/paillier/bytes.js'
import { testKeyJson, testKeys } from './fixtures/paillier-keys.js'

const unsafe = { unsafeAllowSmallKeyForTests: true }
const { publicKey, privateKey } = testKeys('k512')

describe('versioned JSON', () => {
  it('round-trips public and private keys', () => {
    const pk = deserializePublicKey(serializePublicKey(publicKey), unsafe)
    expect(pk.n).toBe(publicKey.n)
    const sk = deserializePrivateKey(serializePrivateKey(privateKey), unsafe)
    expect([sk.p, sk.q]).toEqual([privateKey.p, privateKey.q])
    expect(decrypt(sk, encrypt(pk, 77n))).toBe(77n)
    expect(JSON.parse(serializePublicKey(publicKey))).toMatchObject({ format: 'krain/paillier-public-key', version: 1, bits: 512 })
  })
  it('round-trips ciphertexts with their metadata, and packed ciphertexts', () => {
    const enc = createFixedPointEncoder({ publicKey, precisionBits: 20 })
    const ct = enc.encrypt(-2.5)
    // the bound in the JSON is not trusted: the generic loader gives the worst case, the encoder its own
    const back = deserializeCiphertext(serializeCiphertext(ct), publicKey)
    expect([back.value, back.bound, back.fractionBits]).toEqual([ct.value, publicKey.maxSigned, ct.fractionBits])
    expect(enc.decrypt(privateKey, back)).toBe(-2.5)
    const mine = enc.deserialize(serializeCiphertext(ct))
    expect([mine.value, mine.bound, mine.fractionBits]).toEqual([ct.value, ct.bound, ct.fractionBits])
    const packer = createPacker({ publicKey, additions: 7 })
    const packed = packer.encrypt([5, -6, 7])
    const p2 = deserializePackedCiphertext(serializePackedCiphertext(packed), publicKey)
    expect(packer.decryptNumbers(privateKey, p2)).toEqual([5, -6, 7])
    const p3 = packer.deserialize(serializePackedCiphertext(packed))
    expect([p3.value, p3.count, p3.slotBound]).toEqual([packed.value, 3, packed.slotBound])
    expect(packer.decryptNumbers(privateKey, packer.add(p3, p3))).toEqual([10, -12, 14])
  })
  it('accepts already-parsed objects', () => {
    expect(deserializePublicKey(JSON.parse(serializePublicKey(publicKey)), unsafe).n).toBe(publicKey.n)
  })

  const ctJson = JSON.parse(serializeCiphertext(encrypt(publicKey, 5n))) as Record<string, unknown>
  const withC = (c: bigint): Record<string, unknown> => ({ ...ctJson, c: bigintToBase64Url(c) })
  it.each([
    ['not JSON', () => deserializeCiphertext('{oops', publicKey), HeSerializationError],
    ['an array', () => deserializeCiphertext('[]', publicKey), HeSerializationError],
    ['another format', () => deserializeCiphertext({ ...ctJson, format: 'krain/paillier-public-key' }, publicKey), HeSerializationError],
    ['version 2', () => deserializeCiphertext({ ...ctJson, version: 2 }, publicKey), HeSerializationError],
    ['c not base64url', () => deserializeCiphertext({ ...ctJson, c: 'a+b/' }, publicKey), HeSerializationError],
    ['c a number', () => deserializeCiphertext({ ...ctJson, c: 5 }, publicKey), HeSerializationError],
    ['c ≥ n²', () => deserializeCiphertext(withC(publicKey.nSquared + 1n), publicKey), PaillierInvalidCiphertextError],
    ['c = 0', () => deserializeCiphertext(withC(0n), publicKey), PaillierInvalidCiphertextError],
    ['c not coprime to n', () => deserializeCiphertext(withC(privateKey.q * 3n), publicKey), PaillierInvalidCiphertextError],
    ['a ciphertext under another key', () => deserializeCiphertext(serializeCiphertext(encrypt(testKeys('k1024').publicKey, 1n)), publicKey), HeKeyMismatchError],
    ['negative fractionBits', () => deserializeCiphertext({ ...ctJson, fractionBits: -1 }, publicKey), HeSerializationError],
    ['a bound above (n−1)/2', () => deserializeCiphertext({ ...ctJson, bound: bigintToBase64Url(publicKey.n) }, publicKey), HeSerializationError],
  ])('refuses a ciphertext that is %s', (_, f, E) => {
    expect(f).toThrow(E)
  })

  it.each([
    ['below 2048 bits without the test flag', () => deserializePublicKey(serializePublicKey(publicKey)), PaillierInvalidKeyError],
    ['declaring the wrong size', () => deserializePublicKey({ ...JSON.parse(serializePublicKey(publicKey)), bits: 2048 }, unsafe), PaillierInvalidKeyError],
    ['with p·q ≠ n', () => deserializePrivateKey({ ...testKeyJson('k512'), q: testKeyJson('k1024').q }, unsafe), PaillierInvalidKeyError],
    ['with an even n', () => deserializePublicKey({ format: 'krain/paillier-public-key', version: 1, n: bigintToBase64Url(publicKey.n + 1n) }, unsafe), PaillierInvalidKeyError],
    ['without n', () => deserializePublicKey({ format: 'krain/paillier-public-key', version: 1 }, unsafe), HeSerializationError],
    ['of an unknown format', () => deserializePrivateKey({ ...testKeyJson('k512'), format: 'pem' }, unsafe), HeSerializationError],
  ])('refuses a key %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
})

describe("python-paillier's JWK", () => {
  it('writes the pheutil layout and reads it back', () => {
    const jwk = privateKeyToJwk(privateKey, 'test key')
    expect(jwk).toMatchObject({ kty: 'DAJ', key_ops: ['decrypt'], pub: { kty: 'DAJ', alg: 'PAI-GN1', key_ops: ['encrypt'], kid: 'test key' } })
    const sk = privateKeyFromJwk(JSON.stringify(jwk), unsafe)
    expect(sk.n).toBe(publicKey.n)
    expect(publicKeyFromJwk(publicKeyToJwk(publicKey), unsafe).n).toBe(publicKey.n)
  })
  it('reads integers encoded as phe.util.int_to_base64 does (n = 77 → "TQ")', () => {
    // int_to_base64(77) == 'TQ' (0x4d, unpadded urlsafe base64)
    expect(publicKeyFromJwk({ kty: 'DAJ', alg: 'PAI-GN1', key_ops: ['encrypt'], n: 'TQ' }, unsafe).n).toBe(77n)
  })
  it.each([
    ['a wrong kty', () => publicKeyFromJwk({ kty: 'RSA', alg: 'PAI-GN1', n: 'TQ' }, unsafe), HeSerializationError],
    ['n not base64url', () => publicKeyFromJwk({ kty: 'DAJ', alg: 'PAI-GN1', n: '%%' }, unsafe), HeSerializationError],
    ['a private key without decrypt', () => privateKeyFromJwk({ ...privateKeyToJwk(privateKey), key_ops: ['encrypt'] }, unsafe), HeSerializationError],
    ['a small key without the flag', () => publicKeyFromJwk(publicKeyToJwk(publicKey)), PaillierInvalidKeyError],
  ])('refuses %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
})
