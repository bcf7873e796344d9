import { loadEvaluationKeys } from '@krain/he'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileContract, createContractClient, interpretContract, runContract, type CompiledContract, type ContractClient, type PlainValue } from '../src/index.js'
import { EXAMPLES } from './examples.js'

const ROWS = 1000

function arbFor(c: CompiledContract, enc: boolean): fc.Arbitrary<Record<string, PlainValue>> {
  const rec: Record<string, fc.Arbitrary<PlainValue>> = {}
  for (const i of c.plan.inputs.filter((x) => x.enc === enc)) {
    const [lo, hi] = i.range
    const one = i.type.base === 'int' ? fc.integer({ min: lo, max: hi }) : fc.double({ min: lo, max: hi, noNaN: true })
    rec[i.name] = i.type.length ? fc.array(one, { minLength: i.type.length, maxLength: i.type.length }) : one
  }
  return fc.record(rec)
}

describe.each(Object.entries(EXAMPLES))('example %s', (name, src) => {
  const compiled = compileContract(src)
  let client: ContractClient
  beforeAll(async () => {
    client = await createContractClient(compiled)
  }, 120_000)
  afterAll(() => client?.dispose())

  it(`equals the interpreter within the plan's error bound on ${ROWS} random inputs`, async () => {
    const keys = await loadEvaluationKeys(client.evaluationKeyBundle(), { expectParams: compiled.plan.params })
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(arbFor(compiled, true), { minLength: ROWS, maxLength: ROWS }), arbFor(compiled, false), async (rows, plain) => {
          let checked = 0
          for (const batch of client.encryptInputs(rows)) {
            const res = runContract({ compiled, inputs: batch.inputs, plain, evalKeys: keys })
            const got = client.decryptOutputs(res.outputs, batch.count)
            got.forEach((row, k) => {
              const want = interpretContract(compiled.program, { ...rows[checked + k]!, ...plain })
              for (const o of compiled.plan.outputs) {
                const diff = Math.abs((row[o.name] as number) - (want[o.name] as number))
                if (!(diff <= o.errorBound)) throw new Error(`${name}.${o.name} row ${checked + k}: |${row[o.name]} - ${want[o.name]}| = ${diff} > bound ${o.errorBound}`)
              }
            })
            checked += batch.count
          }
          expect(checked).toBe(ROWS)
        }),
        { numRuns: 1, endOnFailure: true },
      )
    } finally {
      keys.dispose()
    }
  }, 120_000)
})
