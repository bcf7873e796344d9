/**
 * Issue 18 item 4: the README's riskScore shape (weighted sum of an encrypted vector), written by
 * hand in the language, run under CKKS with the weights of an IMPORTED model (the sklearn
 * breast_cancer logistic regression fixture, via `importOnnx`), equals that model's own logits on
 * every held-out row within the plan's error bound, and gives the same labels.
 *
 * Only the logit is an output: with inputs declared in [-4, 14] and weights in [-1.5, 1.5], the
 * interval range of `z` the checker derives is about ±631, far too wide for a useful sigmoid
 * polynomial (the rows' logits lie in about [-29, 20]), so no `sigmoid(z)` is requested.
 */
import { readFileSync } from 'node:fs'
import { loadBreastCancer, trainTestSplit } from '@krain/datasets'
import { loadEvaluationKeys } from '@krain/he'
import { importOnnx, predictScores, standardizeRow, toNetwork } from '@krain/models'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileContract, createContractClient, interpretContract, runContract, type ContractClient, type PlainValue } from '../src/index.js'

const FIXTURE = new URL('../../models/fixtures/bc_logreg_sklearn_op13.onnx', import.meta.url)
const X_RANGE: [number, number] = [-4, 14]
const W_RANGE: [number, number] = [-1.5, 1.5]
const B_RANGE: [number, number] = [-1, 1]

const SOURCE = `# imported breast_cancer logistic regression: the logit of a weighted sum
input x: enc vec<30> in [${X_RANGE[0]}, ${X_RANGE[1]}]
input w: plain vec<30> in [${W_RANGE[0]}, ${W_RANGE[1]}]
input bias: plain f64 in [${B_RANGE[0]}, ${B_RANGE[1]}]
let z = dot(w, x) + bias
output logit = z
`

describe('a hand-written logistic contract with imported breast_cancer weights', () => {
  const { model } = importOnnx(new Uint8Array(readFileSync(FIXTURE)))
  const net = toNetwork(model)
  const { test } = trainTestSplit(loadBreastCancer())
  // The data owner standardises in plaintext with the model's own standardisation before encrypting.
  const rows = test.x.map((r) => standardizeRow(net.standardize, r))
  const inRange = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi
  // A weighted sum alone would pick Paillier; CKKS is the scheme the riskScore example runs under.
  const compiled = compileContract(SOURCE, { scheme: 'ckks' })
  let client: ContractClient
  beforeAll(async () => {
    client = await createContractClient(compiled)
  }, 60_000)
  afterAll(() => client?.dispose())

  it('imports a single sign-head linear layer whose weights and rows fit the declared ranges', () => {
    expect(net.layers).toHaveLength(1)
    expect(net.head).toBe('sign')
    expect(net.layers[0]!.activation).toBe('identity')
    expect(net.layers[0]!.weights[0]).toHaveLength(30)
    expect(compiled.plan.scheme).toBe('ckks')
    expect(rows.length).toBeGreaterThanOrEqual(100)
    expect(net.layers[0]!.weights[0]!.every((v) => inRange(v, W_RANGE))).toBe(true)
    expect(inRange(net.layers[0]!.bias[0]!, B_RANGE)).toBe(true)
    // No held-out row is refused for lying outside the declared input range.
    expect(rows.filter((r) => !r.every((v) => inRange(v, X_RANGE))).length).toBe(0)
  })

  it('equals the imported model\'s logit on every held-out row within the plan\'s bound, with the same labels', async () => {
    const w = net.layers[0]!.weights[0]!
    const bias = net.layers[0]!.bias[0]!
    const plain: Record<string, PlainValue> = { w, bias }
    const bound = compiled.plan.outputs.find((o) => o.name === 'logit')!.errorBound
    expect(bound).toBeGreaterThan(0)
    expect(bound).toBeLessThan(1e-2)
    const keys = await loadEvaluationKeys(client.evaluationKeyBundle(), { expectParams: compiled.plan.params })
    const got: number[] = []
    try {
      for (const batch of client.encryptInputs(rows.map((x) => ({ x })))) {
        const res = runContract({ compiled, inputs: batch.inputs, plain, evalKeys: keys })
        for (const out of client.decryptOutputs(res.outputs, batch.count)) got.push(out.logit as number)
      }
    } finally {
      keys.dispose()
    }
    expect(got).toHaveLength(rows.length)
    let maxErr = 0
    let agree = 0
    let skipped = 0
    test.x.forEach((raw, i) => {
      const want = predictScores(model, raw)[0]!
      const err = Math.abs(got[i]! - want)
      maxErr = Math.max(maxErr, err)
      expect(err, `row ${i}: encrypted ${got[i]} vs imported ${want}`).toBeLessThanOrEqual(bound)
      // The plaintext interpreter of the same source agrees too (same semantics, no encryption).
      expect(Math.abs((interpretContract(compiled.program, { x: rows[i]!, ...plain }).logit as number) - want)).toBeLessThan(1e-9)
      if (Math.abs(want) <= bound) {
        skipped++
        return
      }
      expect(got[i]! > 0, `row ${i} label`).toBe(want > 0)
      agree++
    })
    expect(skipped).toBeLessThanOrEqual(2)
    expect(agree + skipped).toBe(rows.length)
  }, 60_000)
})
