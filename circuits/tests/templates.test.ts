import { buildPoseidon } from 'circomlibjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { packSigned, poseidonChain, SNARK_SCALAR_FIELD } from '@krain/zk'
import { compileHarness, fe, witness } from './helpers.js'

// The harnesses compile in parallel (a few seconds; cached in build/test while sources are unchanged).
let pack: string
let chain: string
let arith: string

beforeAll(async () => {
  ;[pack, chain, arith] = await Promise.all([compileHarness('pack_harness'), compileHarness('chain_harness'), compileHarness('arith_harness')])
})

describe('PackSigned', () => {
  const narrow = Array.from({ length: 40 }, (_, i) => BigInt(((i * 37) % 512) - 256))
  const wide = [-(2n ** 39n), 2n ** 39n - 1n, -5n]

  it('packs signed values exactly as packSigned', async () => {
    const w = await witness(pack, { narrow: narrow.map(fe), wide: wide.map(fe) })
    expect(w.slice(1, 4)).toEqual([...packSigned(narrow, 9), ...packSigned(wide, 40)])
  })

  it('fails to produce a witness for a value one past either end of its width', async () => {
    await expect(witness(pack, { narrow: [256n, ...narrow.slice(1)].map(fe), wide: wide.map(fe) })).rejects.toThrow(/Assert Failed/)
    await expect(witness(pack, { narrow: [-257n, ...narrow.slice(1)].map(fe), wide: wide.map(fe) })).rejects.toThrow(/Assert Failed/)
    await expect(witness(pack, { narrow: narrow.map(fe), wide: [2n ** 39n, 0n, 0n].map(fe) })).rejects.toThrow(/Assert Failed/)
  })
})

describe('PoseidonChain', () => {
  it('equals circomlibjs Poseidon (directly and through poseidonChain) at every chunk boundary', async () => {
    const input = Array.from({ length: 32 }, (_, i) => (BigInt(i + 1) * 0x1234567890abcdefn) % SNARK_SCALAR_FIELD)
    const w = await witness(chain, { in: input })
    const poseidon = await buildPoseidon()
    const h = (xs: bigint[]): bigint => poseidon.F.toObject(poseidon(xs))
    // By hand: n <= 16 is one hash; then (digest, next <= 15).
    const c17 = h([h(input.slice(0, 16)), input[16]!])
    const c31 = h([h(input.slice(0, 16)), ...input.slice(16, 31)])
    expect(w.slice(1, 6)).toEqual([h([input[0]!]), h(input.slice(0, 16)), c17, c31, h([c31, input[31]!])])
    for (const [k, n] of [1, 16, 17, 31, 32].entries()) expect(await poseidonChain(input.slice(0, n))).toBe(w[1 + k])
  })
})

describe('Dot, IsNonNegative, ArgMax', () => {
  const base = { a: [3n, -4n, 5n, -6n], b: [-7n, 8n, 9n, 10n], s: 0n, v: [-3n, 7n, 7n, -100n, 6n] }
  const enc = (x: typeof base): Record<string, unknown> => ({ a: x.a.map(fe), b: x.b.map(fe), s: fe(x.s), v: x.v.map(fe) })

  it('computes a signed dot product, the sign and the first argmax', async () => {
    const w = await witness(arith, enc(base))
    expect(w[1]).toBe(fe(3n * -7n + -4n * 8n + 5n * 9n + -6n * 10n))
    expect(w[2]).toBe(1n) // 0 is non-negative
    expect(w[3]).toBe(1n) // first of the two 7s
  })

  it('reads the sign of negative and positive values within the bound', async () => {
    for (const [s, sign] of [[-128n, 0n], [-1n, 0n], [1n, 1n], [127n, 1n]] as const) {
      const w = await witness(arith, enc({ ...base, s }))
      expect(w[2]).toBe(sign)
    }
  })

  it('fails to produce a witness when a value is outside its range check (no wrap-around)', async () => {
    await expect(witness(arith, enc({ ...base, s: 128n }))).rejects.toThrow(/Assert Failed/)
    await expect(witness(arith, enc({ ...base, s: -129n }))).rejects.toThrow(/Assert Failed/)
    // argmax differences must fit 10 bits: a spread of 2^10 is refused.
    await expect(witness(arith, enc({ ...base, v: [600n, -600n, 0n, 0n, 0n] }))).rejects.toThrow(/Assert Failed/)
  })
})

// InputCommit, LogisticModelCommit and MlpModelCommit are witness-tested inside the inference
// circuits (tests/inference.test.ts): their outputs must equal commitInput / commitModel.
