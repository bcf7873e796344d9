import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  PAILLIER_DEFAULT_BITS,
  PaillierCiphertext,
  PaillierInvalidCiphertextError,
  PaillierInvalidKeyError,
  HeKeyMismatchError,
  PaillierPrivateKey,
  PaillierPublicKey,
  add,
  addPlain,
  decrypt,
  encrypt,
  encryptWithPrivateKey,
  generateKeyPair,
  generateKeyPairSync,
  isProbablePrime,
  mulPlain,
  negate,
  rerandomize,
  sub,
  sum,
} from '../src/index.js'
import { testKeys } from './fixtures/paillier-keys.js'

const here = dirname(fileURLToPath(import.meta.url))
const kat = JSON.parse(readFileSync(join(here, 'vectors/paillier-kat.json'), 'utf8')) as {
  vectors: { method: string; key?: 'k512' | 'k1024'; p?: string; q?: string; m: string; r?: string; alpha?: string; h?: string; c: string }[]
}
const big = (h: string): bigint => BigInt('0x' + h)
const unsafe = { unsafeAllowSmallKeyForTests: true }

describe('known-answer vectors', () => {
  for (const [i, v] of kat.vectors.entries()) {
    it(`vector ${i} (${v.method}${v.key ? `, ${v.key}` : ''}) encrypts to the published ciphertext and decrypts back`, () => {
      const sk = v.key ? testKeys(v.key).privateKey : new PaillierPrivateKey(big(v.p!), big(v.q!), unsafe)
      const pk = sk.publicKey
      const m = big(v.m)
      const randomness = big(v.method === 'djn' ? v.alpha! : v.r!)
      const method = v.method as 'djn' | 'standard'
      if (v.h) expect(pk.h).toBe(big(v.h))
      const ct = encrypt(pk, m, { method, randomness })
      expect(ct.value).toBe(big(v.c))
      // CRT encryption with the same randomness gives the same ciphertext
      expect(encryptWithPrivateKey(sk, m, { method, randomness }).value).toBe(big(v.c))
      expect(decrypt(sk, ct)).toBe(m)
    })
  }
})

describe('isProbablePrime', () => {
  it('accepts primes and rejects composites, including strong pseudoprimes to base 2 and Carmichael numbers', () => {
    for (const p of [2n, 3n, 65537n, 2147483647n, 2305843009213693951n, (1n << 127n) - 1n]) expect(isProbablePrime(p)).toBe(true)
    // 2047 = 23·89 and 3215031751 = 151·751·28351 are strong pseudoprimes to base 2; 561, 41041 Carmichael
    for (const c of [1n, 0n, 4n, 561n, 2047n, 41041n, 3215031751n, ((1n << 127n) - 1n) * ((1n << 61n) - 1n)]) expect(isProbablePrime(c)).toBe(false)
    expect(isProbablePrime(2047n, 0)).toBe(false) // trial division catches 23
  })
})

describe('generateKeyPair', () => {
  it('makes a key of exactly the requested size with g = n + 1 and a working CRT', async () => {
    const { publicKey, privateKey } = await generateKeyPair({ bits: 512, unsafeAllowSmallKeyForTests: true })
    expect(publicKey.bits).toBe(512)
    expect(publicKey.g).toBe(publicKey.n + 1n)
    expect(privateKey.p * privateKey.q).toBe(publicKey.n)
    expect(privateKey.p.toString(2).length).toBe(256)
    expect(isProbablePrime(privateKey.p) && isProbablePrime(privateKey.q)).toBe(true)
    expect(decrypt(privateKey, encrypt(publicKey, 99n))).toBe(99n)
  })
  it('refuses keys below 2048 bits without the test-only flag, odd sizes and junk', async () => {
    await expect(generateKeyPair({ bits: 1024 })).rejects.toBeInstanceOf(PaillierInvalidKeyError)
    expect(() => generateKeyPairSync({ bits: 1024 })).toThrow(expect.objectContaining({ code: 'HE_INVALID_KEY' }))
    expect(() => generateKeyPairSync({ bits: 2049 })).toThrow(RangeError)
    expect(() => generateKeyPairSync({ bits: '2048' as unknown as number })).toThrow(TypeError)
    expect(() => generateKeyPairSync({ bits: 1 << 20 })).toThrow(RangeError)
  })
  it('defaults to 3072 bits (the README example generates one) and accepts 2048-bit moduli', () => {
    expect(PAILLIER_DEFAULT_BITS).toBe(3072)
    expect(new PaillierPublicKey(testKeys('k2048').publicKey.n).bits).toBe(2048)
  })
})

describe('keys', () => {
  const { publicKey, privateKey } = testKeys('k512')
  it('carry their precomputation', () => {
    const { p, q } = privateKey
    expect(privateKey.pSquared).toBe(p * p)
    expect((privateKey.hp * (((p - 1n) * q) % p)) % p).toBe(1n)
    expect((privateKey.pInvQ * p) % q).toBe(1n)
    // h is an n-th residue derived from n alone: the private key's CRT computation agrees with the public one
    const fresh = new PaillierPublicKey(publicKey.n, unsafe)
    expect(new PaillierPrivateKey(p, q, { ...unsafe, publicKey: fresh }).precomputeH()).toBe(new PaillierPublicKey(publicKey.n, unsafe).h)
  })
  it.each([
    ['an even modulus', () => new PaillierPublicKey(1n << 2047n | 2n)],
    ['a 1024-bit modulus without the flag', () => new PaillierPublicKey(testKeys('k1024').publicKey.n)],
    ['equal factors', () => new PaillierPrivateKey(privateKey.p, privateKey.p, unsafe)],
    ['composite factors', () => new PaillierPrivateKey(privateKey.p * 3n, privateKey.q * 5n, unsafe)],
    ['factors of another modulus', () => new PaillierPrivateKey(privateKey.p, privateKey.q, { ...unsafe, publicKey: testKeys('k1024').publicKey })],
  ])('refuses %s', (_, f) => {
    expect(f).toThrow(PaillierInvalidKeyError)
  })
  it('rejects non-bigint moduli with a TypeError', () => {
    expect(() => new PaillierPublicKey(77 as unknown as bigint, unsafe)).toThrow(TypeError)
    expect(() => new PaillierPrivateKey('7' as unknown as bigint, 11n, unsafe)).toThrow(TypeError)
  })
})

describe('encrypt / decrypt', () => {
  const { publicKey, privateKey } = testKeys('k512')
  const n = publicKey.n
  it('round-trips 0, 1, n − 1 on every path', () => {
    for (const m of [0n, 1n, n - 1n, n / 2n]) {
      expect(decrypt(privateKey, encrypt(publicKey, m))).toBe(m)
      expect(decrypt(privateKey, encrypt(publicKey, m, { method: 'standard' }))).toBe(m)
      expect(decrypt(privateKey, encryptWithPrivateKey(privateKey, m))).toBe(m)
      expect(decrypt(privateKey, encryptWithPrivateKey(privateKey, m, { method: 'standard' }))).toBe(m)
      expect(decrypt(privateKey, encrypt(publicKey, m, { window: 5 }))).toBe(m)
    }
  })
  it('gives the same DJN ciphertext for a given α whatever the table window', () => {
    const alpha = (1n << 255n) + 987654321n
    const ref = encrypt(publicKey, 77n, { randomness: alpha }).value
    for (const window of [1, 3, 5, 11]) expect(encrypt(publicKey, 77n, { randomness: alpha, window }).value).toBe(ref)
    expect(encryptWithPrivateKey(privateKey, 77n, { randomness: alpha, window: 3 }).value).toBe(ref)
  })
  it('is randomised: two encryptions of one message differ', () => {
    expect(encrypt(publicKey, 5n).value).not.toBe(encrypt(publicKey, 5n).value)
    expect(encryptWithPrivateKey(privateKey, 5n, { method: 'standard' }).value).not.toBe(encryptWithPrivateKey(privateKey, 5n, { method: 'standard' }).value)
  })
  it('decrypts under a 2048-bit key (the DJN path at 2048 bits is covered by the interop tests)', () => {
    const k = testKeys('k2048')
    const m = k.publicKey.n - 12345n
    expect(decrypt(k.privateKey, encrypt(k.publicKey, m, { method: 'standard' }))).toBe(m)
    expect(decrypt(k.privateKey, encryptWithPrivateKey(k.privateKey, m, { method: 'standard' }))).toBe(m)
  }, 60_000)
  it.each([
    ['m = n', () => encrypt(publicKey, n), RangeError],
    ['m < 0', () => encrypt(publicKey, -1n), RangeError],
    ['m a number', () => encrypt(publicKey, 5 as unknown as bigint), TypeError],
    ['a non-key', () => encrypt({ n } as unknown as PaillierPublicKey, 5n), TypeError],
    ['an unknown method', () => encrypt(publicKey, 5n, { method: 'fast' as 'djn' }), TypeError],
    ['a window of 13', () => encrypt(publicKey, 5n, { window: 13 }), RangeError],
    ['α too long', () => encrypt(publicKey, 5n, { randomness: 1n << 300n }), RangeError],
    ['r sharing a factor with n', () => encrypt(publicKey, 5n, { method: 'standard', randomness: privateKey.p }), RangeError],
  ])('refuses %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
  it('refuses a ciphertext under another key with HE_KEY_MISMATCH', () => {
    const other = testKeys('k1024')
    expect(() => decrypt(privateKey, encrypt(other.publicKey, 1n))).toThrow(HeKeyMismatchError)
  })
  it.each([
    ['0', () => 0n],
    ['n²', () => publicKey.nSquared],
    ['a multiple of p', () => privateKey.p * 12345n],
    ['−1', () => -1n],
  ])('refuses the ciphertext value %s', (_, f) => {
    expect(() => new PaillierCiphertext(publicKey, f())).toThrow(PaillierInvalidCiphertextError)
  })
})

describe('homomorphic operations', () => {
  const { publicKey, privateKey } = testKeys('k512')
  const n = publicKey.n
  const arbM = fc.bigInt({ min: 0n, max: n - 1n })
  it('Dec(Enc(a) ⊕ Enc(b)) = a + b mod n', () => {
    fc.assert(
      fc.property(arbM, arbM, (a, b) => decrypt(privateKey, add(encrypt(publicKey, a), encrypt(publicKey, b))) === (a + b) % n),
      { numRuns: 40 },
    )
  })
  it('Dec(Enc(a)^k) = k·a mod n, for positive and negative k', () => {
    fc.assert(
      fc.property(arbM, fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), (a, k) => decrypt(privateKey, mulPlain(encrypt(publicKey, a), k)) === (((a * k) % n) + n) % n),
      { numRuns: 30 },
    )
  })
  it('subtracts, negates, adds plaintexts, sums and re-randomises', () => {
    fc.assert(
      fc.property(arbM, arbM, fc.bigInt({ min: -(1n << 100n), max: 1n << 100n }), (a, b, k) => {
        const ea = encrypt(publicKey, a)
        const eb = encrypt(publicKey, b)
        const mod = (x: bigint): bigint => ((x % n) + n) % n
        expect(decrypt(privateKey, sub(ea, eb))).toBe(mod(a - b))
        expect(decrypt(privateKey, negate(ea))).toBe(mod(-a))
        expect(decrypt(privateKey, addPlain(ea, k))).toBe(mod(a + k))
        expect(decrypt(privateKey, sum([ea, eb, ea]))).toBe(mod(2n * a + b))
        const r = rerandomize(ea)
        expect(r.value).not.toBe(ea.value)
        expect(decrypt(privateKey, r)).toBe(a)
      }),
      { numRuns: 15 },
    )
  })
  it('refuses to combine ciphertexts under different keys', () => {
    const other = testKeys('k1024').publicKey
    expect(() => add(encrypt(publicKey, 1n), encrypt(other, 1n))).toThrow(HeKeyMismatchError)
    expect(() => sum([encrypt(publicKey, 1n), encrypt(other, 1n)])).toThrow(expect.objectContaining({ code: 'HE_KEY_MISMATCH' }))
  })
  it.each([
    ['add(junk)', () => add({} as PaillierCiphertext, encrypt(publicKey, 1n)), TypeError],
    ['sum([])', () => sum([]), RangeError],
    ['mulPlain by a number', () => mulPlain(encrypt(publicKey, 1n), 3 as unknown as bigint), TypeError],
    ['addPlain of a string', () => addPlain(encrypt(publicKey, 1n), '3' as unknown as bigint), TypeError],
  ])('refuses %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
})
