/**
 * The checker's level accounting is exact: on random programs of sums, differences, plaintext and
 * ciphertext products and powers, the levels the encrypted run consumes equal the plan's depth
 * (products at the same level and scale add without a rescale), and the result equals the
 * interpreter within the plan's bound.
 */
import { createCkksClient, loadEvaluationKeys, type CkksClient } from '@krain/he'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { compileContract, ContractClient, ContractDepthError, ContractRangeError, ContractUnsupportedError, interpretContract, runContract } from '../src/index.js'

const HEAD = 'input x: enc f64 in [-1, 1]\ninput y: enc f64 in [-1, 1]\ninput p: plain f64 in [0.5, 1]\n'

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', 'p', '0.5', '2'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), fc.constantFrom(2, 3)).map(([a, n]) => `(${a})^${n}`),
    tie('e').map((a) => `0.25 * ${a}`),
    fc.tuple(tie('e'), fc.constantFrom(3, 5)).map(([a, d]) => `sigmoid(${a}) in [-8, 8] degree ${d}`),
  ),
})).e

describe('level accounting', () => {
  const clients = new Map<string, CkksClient>()
  afterAll(() => {
    for (const c of clients.values()) c.dispose()
  })

  it('the encrypted run consumes exactly the plan depth on random programs', async () => {
    let ran = 0
    await fc.assert(
      fc.asyncProperty(expr, fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), async (body, x, y) => {
        const src = `${HEAD}output out = ${body} + x\n`
        let compiled
        try {
          compiled = compileContract(src, { scheme: 'ckks' })
        } catch (e) {
          if (e instanceof ContractDepthError || e instanceof ContractRangeError) return
          throw e
        }
        if (compiled.program.depth > 6) return
        const key = JSON.stringify(compiled.plan.params)
        let ckks = clients.get(key)
        if (!ckks) clients.set(key, (ckks = await createCkksClient({ params: compiled.plan.params!, galoisSteps: [], relin: true })))
        const client = new ContractClient(compiled, ckks)
        const keys = await loadEvaluationKeys(ckks.exportEvaluationKeys(), { expectParams: compiled.plan.params })
        try {
          const batch = client.encryptInputs([{ x, y }])[0]!
          let res
          try {
            res = runContract({ compiled, inputs: batch.inputs, plain: { p: 0.75 }, evalKeys: keys })
          } catch (e) {
            // a cancellation such as x - x: refused with a typed error, never a crash
            expect(e).toBeInstanceOf(ContractUnsupportedError)
            return
          }
          expect(res.depthUsed).toBe(compiled.program.depth)
          const got = client.decryptOutputs(res.outputs, 1)[0]!.out as number
          const want = interpretContract(compiled.program, { x, y, p: 0.75 }).out as number
          expect(Math.abs(got - want)).toBeLessThanOrEqual(compiled.plan.outputs[0]!.errorBound)
          ran++
        } finally {
          keys.dispose()
        }
      }),
      { numRuns: 60, endOnFailure: true },
    )
    expect(ran).toBeGreaterThan(20)
  }, 120_000)

  it('a symmetric-range approximation small enough is evaluated in x: no level for the affine map', () => {
    const c = compileContract('input x: enc vec<30> in [-2, 2]\ninput w: plain vec<30> in [-0.1, 0.1]\noutput r = sigmoid(dot(w, x)) in [-8, 8] degree 3\n')
    expect(c.program.depth).toBe(3)
    expect(c.plan.params!.polyModulusDegree).toBe(8192)
  })

  it('the dosage formula needs depth 3 (two products at one level and scale add without a rescale)', () => {
    const src = 'input weight: enc f64 in [30, 150]\ninput age: enc f64 in [18, 90]\nlet dose = 0.5 + 0.02 * weight + 0.0001 * weight * age - 0.00002 * weight^2\noutput mg = dose * 10\n'
    const c = compileContract(src)
    expect(c.program.depth).toBe(3)
    expect(c.plan.params!.polyModulusDegree).toBe(8192)
  })
})
