/**
 * BFV and Paillier plans run end to end: encrypted results equal the interpreter exactly for BFV
 * (and for Paillier on integers), within the plan's bound for Paillier in fixed point; a program a
 * scheme cannot run is refused with a typed error.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileContract, ContractUnsupportedError, createContractClient, createExactContractClient, interpretContract, runContract, type ExactContractClient } from '../src/index.js'

const BFV_SRC = `# exact integers: products and sums of encrypted counts
input a: enc int in [-50, 50]
input b: enc int in [0, 20]
input c: enc int in [0, 9]
input k: plain int in [1, 5]
output s = a * b + k * c - 3
output d = c^3 - 2 * a * c
output p = poly(a, [1, -2, 3])
`
const PAILLIER_SRC = `# additions and plain scalings only
input x: enc vec<8> in [-10, 10]
input w: plain vec<8> in [-1, 1]
output score = dot(w, x) / 4 + 0.5
output total = 3 * sum(x)
`
const PAILLIER_INT = `input n: enc vec<4> in [0, 1000]
output t = 2 * sum(n) - 7
`

describe('BFV plans', () => {
  const compiled = compileContract(BFV_SRC)
  let client: ExactContractClient
  beforeAll(async () => {
    client = await createExactContractClient(compiled)
  }, 120_000)
  afterAll(() => client?.dispose())

  it('chooses BFV and equals the interpreter exactly on 1000 random rows', async () => {
    expect(compiled.plan.scheme).toBe('bfv')
    expect(compiled.plan.bfv).toMatchObject({ polyModulusDegree: 8192 })
    const row = fc.record({ a: fc.integer({ min: -50, max: 50 }), b: fc.integer({ min: 0, max: 20 }), c: fc.integer({ min: 0, max: 9 }) })
    fc.assert(
      fc.property(fc.array(row, { minLength: 1000, maxLength: 1000 }), fc.integer({ min: 1, max: 5 }), (rows, k) => {
        const [batch, ...rest] = client.encryptInputs(rows)
        expect(rest).toHaveLength(0)
        const res = client.run(batch!, { k })
        const got = client.decryptOutputs(res.outputs, batch!.count)
        rows.forEach((r, i) => expect(got[i]).toEqual(interpretContract(compiled.program, { ...r, k })))
      }),
      { numRuns: 1 },
    )
  }, 120_000)
})

describe('Paillier plans', () => {
  it('fixed point within the plan bound, integers exactly', async () => {
    const compiled = compileContract(PAILLIER_SRC, { paillierBits: 2048 })
    expect(compiled.plan.scheme).toBe('paillier')
    const client = await createExactContractClient(compiled)
    const rows = fc.sample(fc.record({ x: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }) }), 40)
    const w = [0.5, -0.25, 1, -1, 0.125, 0.3, -0.7, 0.9]
    const bound = Object.fromEntries(compiled.plan.outputs.map((o) => [o.name, o.errorBound]))
    const batches = client.encryptInputs(rows)
    batches.forEach((batch, i) => {
      const got = client.decryptOutputs(client.run(batch, { w }).outputs, 1)[0]!
      const want = interpretContract(compiled.program, { ...rows[i]!, w })
      for (const o of ['score', 'total']) expect(Math.abs((got[o] as number) - (want[o] as number))).toBeLessThanOrEqual(bound[o]!)
    })

    const ints = compileContract(PAILLIER_INT, { paillierBits: 2048 })
    expect(ints.plan.scheme).toBe('paillier')
    const c2 = new (client.constructor as typeof ExactContractClient)(ints, undefined, client.paillier)
    const intRows = fc.sample(fc.record({ n: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 4, maxLength: 4 }) }), 40)
    c2.encryptInputs(intRows).forEach((batch, i) => {
      expect(c2.decryptOutputs(c2.run(batch).outputs, 1)[0]).toEqual(interpretContract(ints.program, intRows[i]!))
    })
  }, 120_000)
})

describe('typed refusals', () => {
  it('refuses a program a scheme cannot run', async () => {
    expect(() => compileContract('input x: enc f64 in [0, 1]\noutput y = x * x\n', { scheme: 'bfv' })).toThrow(ContractUnsupportedError)
    expect(() => compileContract('input x: enc f64 in [0, 1]\noutput y = x * x\n', { scheme: 'paillier' })).toThrow(ContractUnsupportedError)
    expect(() => compileContract('input n: enc int in [0, 10]\noutput y = n / 3\n', { scheme: 'bfv' })).toThrow(/BFV computes exact integers/)
    const ckks = compileContract('input x: enc f64 in [0, 1]\noutput y = x * x\n')
    await expect(createExactContractClient(ckks)).rejects.toBeInstanceOf(ContractUnsupportedError)
    const bfv = compileContract(BFV_SRC)
    await expect(createContractClient(bfv)).rejects.toBeInstanceOf(ContractUnsupportedError)
    const { plan } = bfv
    expect(() => runContract({ compiled: bfv, inputs: {}, evalKeys: { ctx: { params: plan.params } } as never })).toThrow(ContractUnsupportedError)
  })
})
