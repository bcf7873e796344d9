import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HeKeyMismatchError, HeNoiseBudgetError, createBfvClient, liveSealObjects, type BfvClient } from '../src/index.js'

describe('BFV exact integer vectors (N = 8192, batching)', () => {
  let bfv: BfvClient
  const a = [3, -7, 12, 0, 25, -100, 4]
  const b = [5, 2, -3, 9, 1, 4, -6]
  beforeAll(async () => {
    bfv = await createBfvClient()
  }, 60_000)
  afterAll(() => bfv.dispose())

  it('encrypts and decrypts signed integers exactly', () => {
    using x = bfv.encrypt(a)
    expect(bfv.decrypt(x)).toEqual(a.map(BigInt))
    expect(x.noiseBudget).toBeGreaterThan(50)
    expect(bfv.plainModulus % BigInt(2 * 8192)).toBe(1n) // a batching prime
  })

  it('adds, subtracts, multiplies and multiplies by plaintext exactly', () => {
    using x = bfv.encrypt(a)
    using y = bfv.encrypt(b)
    using s = x.add(y)
    using d = x.sub(y)
    using m = x.multiply(y)
    using mp = x.multiply(b)
    using ap = x.add(b)
    expect(bfv.decrypt(s)).toEqual(a.map((v, i) => BigInt(v + b[i]!)))
    expect(bfv.decrypt(d)).toEqual(a.map((v, i) => BigInt(v - b[i]!)))
    expect(bfv.decrypt(m)).toEqual(a.map((v, i) => BigInt(v * b[i]!)))
    expect(bfv.decrypt(mp)).toEqual(a.map((v, i) => BigInt(v * b[i]!)))
    expect(bfv.decrypt(ap)).toEqual(a.map((v, i) => BigInt(v + b[i]!)))
    // the budget shrinks with a ciphertext product and is reported
    expect(m.noiseBudget).toBeLessThan(x.noiseBudget)
  })

  it('computes a dot product with plaintext weights', () => {
    using x = bfv.encrypt(a)
    using d = x.dot(b)
    expect(bfv.decrypt(d)).toEqual([BigInt(a.reduce((p, v, i) => p + v * b[i]!, 0))])
  })

  it('refuses to decrypt once the noise budget is exhausted', () => {
    let cur = bfv.encrypt([2, 3])
    const budgets: number[] = []
    try {
      for (let i = 0; i < 8 && cur.noiseBudget > 0; i++) {
        const next = cur.multiply(cur)
        cur.dispose()
        cur = next
        budgets.push(cur.noiseBudget)
      }
      expect(budgets[budgets.length - 1]).toBe(0)
      expect(() => bfv.decrypt(cur)).toThrow(HeNoiseBudgetError)
    } finally {
      cur.dispose()
    }
  })

  it('rejects junk and foreign vectors', async () => {
    expect(() => bfv.encrypt([1.5])).toThrow(TypeError)
    expect(() => bfv.encrypt([Number(bfv.plainModulus)])).toThrow(RangeError)
    expect(() => bfv.encrypt([])).toThrow(RangeError)
    using x = bfv.encrypt([1, 2])
    expect(() => x.add([1])).toThrow(RangeError)
    using other = await createBfvClient({ polyModulusDegree: 4096 })
    using y = other.encrypt([1, 2])
    expect(() => x.add(y)).toThrow(HeKeyMismatchError)
    expect(() => bfv.decrypt(y)).toThrow(HeKeyMismatchError)
  }, 30_000)

  it('releases its ciphertexts', () => {
    const before = liveSealObjects()
    {
      using x = bfv.encrypt(a)
      using y = x.multiply(x)
      expect(liveSealObjects()).toBe(before + 2)
      void y
    }
    expect(liveSealObjects()).toBe(before)
  })
})
