import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CKKS_PRESETS, CkksVector, HeDepthError, HeMissingKeyError, createCkksClient, matmulRotationSteps, sumRotationSteps, liveSealObjects, type CkksClient, type EvaluationKeys } from '../src/index.js'

const close = (got: number[], want: number[], tol: number) => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(tol)
}

describe('CkksVector (N = 8192, depth 2, scale 2^40)', () => {
  let client: CkksClient
  let keys: EvaluationKeys
  const a = [0.5, -1.25, 2, 3.5, -0.75, 1]
  const b = [1.5, 0.25, -2, 0.5, 1.75, -1]
  beforeAll(async () => {
    const steps = [...new Set([...sumRotationSteps(8), ...matmulRotationSteps(6, 3), 1, 3])]
    client = await createCkksClient({ params: CKKS_PRESETS.n8192, galoisSteps: steps })
    keys = await client.evaluationKeys()
  })
  afterAll(() => client.dispose())

  it('decrypts what it encrypted', async () => {
    using v = await client.encrypt(a)
    close(client.decrypt(v), a, 1e-6)
    expect(v.level).toBe(2)
  })

  it('adds, subtracts and negates vectors and plaintexts', async () => {
    using x = await client.encrypt(a)
    using y = await client.encrypt(b)
    using s = x.add(y)
    using d = x.sub(y)
    using n = x.negate()
    using p = x.add(b)
    using c = x.sub(2)
    close(client.decrypt(s), a.map((v, i) => v + b[i]!), 1e-6)
    close(client.decrypt(d), a.map((v, i) => v - b[i]!), 1e-6)
    close(client.decrypt(n), a.map((v) => -v), 1e-6)
    close(client.decrypt(p), a.map((v, i) => v + b[i]!), 1e-6)
    close(client.decrypt(c), a.map((v) => v - 2), 1e-6)
  })

  it('multiplies (relinearised and rescaled) and multiplies by plaintext', async () => {
    using x = await client.encrypt(a)
    using y = await client.encrypt(b)
    using m = x.multiply(y)
    using mp = x.multiply(b)
    using ms = x.multiply(-3)
    expect(m.level).toBe(1)
    close(client.decrypt(m), a.map((v, i) => v * b[i]!), 1e-5)
    close(client.decrypt(mp), a.map((v, i) => v * b[i]!), 1e-5)
    close(client.decrypt(ms), a.map((v) => -3 * v), 1e-5)
    // level and scale are matched automatically: x (level 2) + x*y (level 1)
    using mixed = x.add(m)
    close(client.decrypt(mixed), a.map((v, i) => v + v * b[i]!), 1e-5)
    using cube = m.multiply(x)
    close(client.decrypt(cube), a.map((v, i) => v * b[i]! * v), 1e-4)
    expect(cube.level).toBe(0)
    expect(() => cube.multiply(x)).toThrow(HeDepthError)
  })

  it('sums, dots and rotates', async () => {
    using x = await client.encrypt(a)
    using s = x.sum()
    using d = x.dot(b)
    using r = x.rotate(1)
    close(client.decrypt(s), [a.reduce((p, q) => p + q, 0)], 1e-5)
    close(client.decrypt(d), [a.reduce((p, q, i) => p + q * b[i]!, 0)], 1e-5)
    // rotation is cyclic within the padded period (8): [a1..a5, 0, 0, a0]
    close(client.decrypt(r, 8), [...a.slice(1), 0, 0, a[0]!], 1e-6)
    expect(() => x.rotate(5)).toThrow(HeMissingKeyError)
  })

  it('computes a matrix-vector product (diagonal BSGS)', async () => {
    const w = [
      [1, 0.5, -1, 2, 0, 0.25],
      [-0.5, 1, 1, 0, 3, -1],
      [0, 0, 0.75, -2, 1, 1],
    ]
    using x = await client.encrypt(a)
    using y = x.matmul(w)
    expect(y.length).toBe(3)
    close(client.decrypt(y), w.map((row) => row.reduce((p, q, j) => p + q * a[j]!, 0)), 1e-5)
  })

  it('evaluates polynomials', async () => {
    using x = await client.encrypt(a)
    using p2 = x.polyval([0.5, 0.197, 0, -0.004])
    close(client.decrypt(p2), a.map((v) => 0.5 + 0.197 * v - 0.004 * v ** 3), 1e-4)
    using q = x.polyval([1, -2, 3])
    close(client.decrypt(q), a.map((v) => 1 - 2 * v + 3 * v * v), 1e-4)
    expect(() => x.polyval([0, 0, 0, 0, 1])).toThrow(HeDepthError)
  })

  it('round-trips serialised vectors and rejects junk', async () => {
    using x = await client.encrypt(a)
    const bytes = x.serialize()
    using y = CkksVector.load(keys, bytes, a.length)
    close(client.decrypt(y), a, 1e-6)
    expect(() => CkksVector.load(keys, bytes.subarray(0, bytes.length - 1), 6)).toThrow(/truncated/)
    expect(() => CkksVector.load(keys, new Uint8Array(100), 6)).toThrow(/magic/)
    expect(() => CkksVector.load(keys, '***', 6)).toThrow(/base64/)
    expect(() => CkksVector.load(keys, 42 as unknown as Uint8Array, 6)).toThrow(TypeError)
  })

  it('releases what it allocates', async () => {
    const before = liveSealObjects()
    {
      using x = await client.encrypt(a)
      using y = x.multiply(x)
      using z = y.add(x)
      expect(liveSealObjects()).toBe(before + 3)
      void z
    }
    expect(liveSealObjects()).toBe(before)
  })
})

describe('CKKS preset N = 16384 (depth 7)', () => {
  it('runs seven multiplications, then refuses an eighth', async () => {
    using client = await createCkksClient({ params: CKKS_PRESETS.n16384 })
    let v = await client.encrypt([1.1, -0.9, 1])
    try {
      for (let i = 0; i < 7; i++) {
        const next = v.multiply(v)
        v.dispose()
        v = next
      }
      expect(v.level).toBe(0)
      const got = client.decrypt(v)
      const want = [1.1 ** 128, 0.9 ** 128, 1]
      got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.max(1, want[i]!)).toBeLessThan(1e-3))
      expect(() => v.multiply(v)).toThrow(HeDepthError)
    } finally {
      v.dispose()
    }
  }, 60_000)
})
