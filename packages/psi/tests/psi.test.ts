import { describe, expect, it, afterAll } from 'vitest'
import fc from 'fast-check'
import { PsiParticipant, PsiPool, psiIntersect, psiIntersectMulti, decodeFrame } from '../src/index.js'

const pool = new PsiPool({ threads: 2 })
afterAll(() => pool.close())

const idSets = fc.tuple(fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 40 }), fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 40 }))

describe('psiIntersect', () => {
  it('intersection equals the plain Set computation', async () => {
    await fc.assert(
      fc.asyncProperty(idSets, fc.integer({ min: 1, max: 16 }), async ([a, b], chunkSize) => {
        const { intersection } = await psiIntersect({ a, b, pool, chunkSize })
        const sb = new Set(b)
        expect(intersection).toEqual(a.filter((x) => sb.has(x)))
      }),
      { numRuns: 25 },
    )
  })

  it('cardinality is exact and returns no identifiers', async () => {
    await fc.assert(
      fc.asyncProperty(idSets, async ([a, b]) => {
        const r = await psiIntersect({ a, b, pool, variant: 'cardinality', chunkSize: 7 })
        const sb = new Set(b)
        expect(r.cardinality).toBe(a.filter((x) => sb.has(x)).length)
        expect(r.intersection).toBeUndefined()
        expect(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/"intersection"/)
      }),
      { numRuns: 20 },
    )
  })

  it('sum over the intersection is exact (Paillier 2048)', async () => {
    const a = ['p1', 'p2', 'p3', 'p4', 'x']
    const b = ['p2', 'p4', 'p5', 'y', 'p1']
    const bValues = [10, 20, 30, 40, 5]
    const r = await psiIntersect({ a, b, bValues, pool, variant: 'sum', paillierBits: 2048, chunkSize: 2 })
    expect(r.cardinality).toBe(3)
    expect(r.sum).toBe(35n)
    expect(r.intersection).toBeUndefined()
  }, 60_000)

  it('multi-party intersection of 3 sets', async () => {
    const got = await psiIntersectMulti({ sets: [['a', 'b', 'c', 'd'], ['b', 'c', 'd', 'e'], ['c', 'd', 'z', 'b']], pool })
    expect(got).toEqual(['b', 'c', 'd'])
    await expect(psiIntersectMulti({ sets: [['a'], ['a']], pool })).rejects.toThrow(RangeError)
  })
})

describe('PsiParticipant messages', () => {
  async function setup() {
    const sessionId = new Uint8Array(16).fill(7)
    const r = new PsiParticipant({ role: 'receiver', variant: 'intersection', ids: ['a', 'b', 'c'], sessionId, pool, chunkSize: 2 })
    const s = new PsiParticipant({ role: 'sender', variant: 'intersection', ids: ['b', 'c', 'd'], sessionId, pool, chunkSize: 2 })
    const frames: Uint8Array[] = []
    for await (const f of r.blindedFrames()) frames.push(f)
    return { r, s, frames }
  }

  it('refuses a replayed chunk', async () => {
    const { s, frames } = await setup()
    await s.receive(frames[0]!)
    await expect(s.receive(frames[0]!)).rejects.toMatchObject({ code: 'PSI_REPLAYED_CHUNK' })
  })

  it('refuses a chunk out of order and one of another session', async () => {
    const { s, frames } = await setup()
    await expect(s.receive(frames[1]!)).rejects.toMatchObject({ code: 'PSI_OUT_OF_ORDER' })
    const other = frames[0]!.slice()
    other[8] ^= 1
    await expect(s.receive(other)).rejects.toMatchObject({ code: 'PSI_WRONG_SESSION' })
  })

  it('refuses wrong lengths, bad magic and non-canonical or low-order points', async () => {
    const { s, frames } = await setup()
    await expect(s.receive(frames[0]!.subarray(0, frames[0]!.length - 1))).rejects.toMatchObject({ code: 'PSI_MALFORMED_MESSAGE' })
    const magic = frames[0]!.slice()
    magic[0] = 0
    await expect(s.receive(magic)).rejects.toMatchObject({ code: 'PSI_MALFORMED_MESSAGE' })
    const big = frames[0]!.slice()
    big.fill(0xff, 36, 68)
    await expect(s.receive(big)).rejects.toMatchObject({ code: 'PSI_BAD_POINT' })
    const low = frames[0]!.slice()
    low.fill(0, 36, 68) // u = 0, a low-order point
    await expect(s.receive(low)).rejects.toMatchObject({ code: 'PSI_BAD_POINT' })
    expect(() => decodeFrame(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'PSI_MALFORMED_MESSAGE' }))
  })

  it('the sender learns only the receiver set size', async () => {
    const { s, frames } = await setup()
    for (const f of frames) await s.receive(f)
    expect(s.output()).toEqual({ variant: 'intersection', peerSize: 3 })
  })
})
