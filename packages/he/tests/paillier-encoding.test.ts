import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  PaillierCiphertext,
  PaillierOverflowError,
  HeScaleError,
  add,
  addPlain,
  createFixedPointEncoder,
  decodeSigned,
  decrypt,
  decryptInteger,
  encodeSigned,
  encrypt,
  encryptInteger,
  mulPlain,
  sum,
} from '../src/index.js'
import { testKeys } from './fixtures/paillier-keys.js'

const { publicKey, privateKey } = testKeys('k512')
const half = publicKey.maxSigned

describe('signed big integers', () => {
  it('encodeSigned / decodeSigned are inverse on [−(n−1)/2, (n−1)/2]', () => {
    fc.assert(fc.property(fc.bigInt({ min: -half, max: half }), (v) => decodeSigned(publicKey, encodeSigned(publicKey, v)) === v))
    expect(() => encodeSigned(publicKey, half + 1n)).toThrow(RangeError)
    expect(() => decodeSigned(publicKey, publicKey.n)).toThrow(RangeError)
  })
  it('encrypts and decrypts big signed integers and their sums', () => {
    const maxAbs = 1n << 200n
    fc.assert(
      fc.property(fc.bigInt({ min: -maxAbs, max: maxAbs }), fc.bigInt({ min: -maxAbs, max: maxAbs }), (a, b) => {
        const s = add(encryptInteger(publicKey, a, { maxAbs }), encryptInteger(publicKey, b, { maxAbs }))
        expect(s.bound).toBe(2n * maxAbs)
        return decryptInteger(privateKey, s) === a + b
      }),
      { numRuns: 25 },
    )
  })
  it('refuses values above the declared bound, and a bound above (n−1)/2', () => {
    expect(() => encryptInteger(publicKey, 1000n, { maxAbs: 999n })).toThrow(RangeError)
    expect(() => encryptInteger(publicKey, 1n << 300n)).toThrow(RangeError) // default bound 2^256 for a 512-bit key
    expect(() => encryptInteger(publicKey, 1n, { maxAbs: half + 1n })).toThrow(RangeError)
  })
  it('detects overflow before it happens: sums and products whose bound passes (n−1)/2 throw HE_OVERFLOW', () => {
    const big = encryptInteger(publicKey, -5n, { maxAbs: half / 2n + 1n })
    expect(() => add(big, big)).toThrow(PaillierOverflowError)
    expect(() => sum([big, big, big])).toThrow(expect.objectContaining({ code: 'HE_OVERFLOW' }))
    expect(() => mulPlain(encryptInteger(publicKey, 3n, { maxAbs: 1n << 256n }), 1n << 300n)).toThrow(PaillierOverflowError)
    expect(() => addPlain(big, half)).toThrow(PaillierOverflowError)
    // a legitimately large result near the edge still decrypts exactly
    const edge = encryptInteger(publicKey, half - 7n, { maxAbs: half - 7n })
    expect(decryptInteger(privateKey, addPlain(edge, 7n))).toBe(half)
  })
  it('flags a ciphertext whose plaintext lies outside its declared bound', () => {
    const lying = new PaillierCiphertext(publicKey, encrypt(publicKey, 1000n).value, { bound: 10n })
    expect(() => decryptInteger(privateKey, lying)).toThrow(PaillierOverflowError)
  })
  it('raw ciphertexts (no bound) wrap mod n like textbook Paillier', () => {
    const c = encrypt(publicKey, publicKey.n - 1n)
    expect(decrypt(privateKey, addPlain(c, 2n))).toBe(1n)
    expect(decryptInteger(privateKey, c)).toBe(-1n)
  })
})

describe('fixed-point encoder', () => {
  const enc = createFixedPointEncoder({ publicKey, precisionBits: 32, maxAbs: 1e9 })
  it('round-trips numbers within 2^−33', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => Math.abs(enc.decrypt(privateKey, enc.encrypt(x)) - x) <= 2 ** -33 + Math.abs(x) * 2 ** -52),
      { numRuns: 40 },
    )
  })
  it('adds, adds plaintexts and multiplies by plaintext reals (negative values included)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), (a, b, k) => {
        const ea = enc.encrypt(a)
        const eb = enc.encrypt(b)
        expect(enc.decrypt(privateKey, add(ea, eb))).toBeCloseTo(a + b, 8)
        expect(enc.decrypt(privateKey, enc.addPlain(ea, b))).toBeCloseTo(a + b, 8)
        const prod = enc.mulPlain(ea, k)
        expect(prod.fractionBits).toBe(64)
        // each factor is rounded to 2^−33: the product is off by at most (|a| + |k|)·2^−33 + 2^−66
        expect(Math.abs(enc.decrypt(privateKey, prod) - a * k)).toBeLessThanOrEqual((Math.abs(a) + Math.abs(k) + 1) * 2 ** -33 + Math.abs(a * k) * 2 ** -52)
      }),
      { numRuns: 15 },
    )
  })
  it('is exact on dyadic values, e.g. −1.25 + 3.5 = 2.25', () => {
    expect(enc.decrypt(privateKey, add(enc.encrypt(-1.25), enc.encrypt(3.5)))).toBe(2.25)
    expect(enc.encode(-1.25)).toBe(-(5n << 30n))
    expect(enc.decode(-(5n << 30n))).toBe(-1.25)
  })
  it('keeps the exponent per encoder: ciphertexts carry the encoder\'s fraction bits, not a per-value exponent', () => {
    expect(enc.encrypt(1e-9).fractionBits).toBe(32)
    expect(enc.encrypt(123456789).fractionBits).toBe(32)
    expect(enc.encrypt(0.5).bound).toBe(enc.maxEncoded)
  })
  it('refuses to add ciphertexts of different scales', () => {
    const other = createFixedPointEncoder({ publicKey, precisionBits: 16 })
    expect(() => add(enc.encrypt(1), other.encrypt(1))).toThrow(HeScaleError)
    expect(() => add(enc.encrypt(1), enc.mulPlain(enc.encrypt(1), 2))).toThrow(HeScaleError)
  })
  it.each([
    ['NaN', () => enc.encrypt(Number.NaN), RangeError],
    ['Infinity', () => enc.encrypt(Infinity), RangeError],
    ['a value above maxAbs', () => enc.encrypt(2e9), RangeError],
    ['a string', () => enc.encrypt('1' as unknown as number), TypeError],
    ['an encoder without a key', () => createFixedPointEncoder({} as never), TypeError],
    ['513 fraction bits', () => createFixedPointEncoder({ publicKey, precisionBits: 513 }), RangeError],
    ['maxAbs ≤ 0', () => createFixedPointEncoder({ publicKey, maxAbs: 0 }), RangeError],
    ['maxAbs too large for the key', () => createFixedPointEncoder({ publicKey, precisionBits: 300, maxAbs: 2 ** 300 }), RangeError],
  ])('refuses %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
  it('reports overflow of a fixed-point sum instead of returning garbage', () => {
    const tight = createFixedPointEncoder({ publicKey, precisionBits: 250, maxAbs: 2 ** 53 })
    const x = tight.encrypt(2 ** 52)
    // both factors may be 2^53 · 2^250 in encoded units: the product's bound passes (n − 1)/2 ≈ 2^510
    expect(() => tight.mulPlain(x, 3)).toThrow(PaillierOverflowError)
    expect(tight.decrypt(privateKey, add(x, x))).toBe(2 ** 53)
  })
})
