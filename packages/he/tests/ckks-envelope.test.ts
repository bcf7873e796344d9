import { breastCancerTask } from '@krain/models'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HeKeyMismatchError, HeOutputBoundError, HeSerializationError, createCkksClient, decryptBatch, encryptBatch, evaluateModel, evaluationKeyId, loadEvaluationKeys, planDigest, planInference, type CkksClient, type EvaluationKeys, type InferencePlan } from '../src/index.js'
import { openEnvelope, sealEnvelope } from '../src/inference/envelope.js'

/** Ciphertexts bound to the key and the plan that made them (issue 12, item 2). */
describe('ciphertext envelopes', () => {
  const task = breastCancerTask()
  const rows = task.test.x.slice(0, 2)
  let plan: InferencePlan
  let alice: CkksClient
  let mallory: CkksClient
  let keys: EvaluationKeys
  let up: Uint8Array[]
  beforeAll(async () => {
    plan = planInference({ model: task.model, batchSize: 2, layout: 'sample-per-ciphertext', inputBound: 8 })
    alice = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
    mallory = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
    keys = await loadEvaluationKeys(alice.exportEvaluationKeys(), { expectParams: plan.params })
    up = encryptBatch({ client: alice, plan, rows })
  }, 60_000)
  afterAll(() => {
    keys.dispose()
    alice.dispose()
    mallory.dispose()
  })

  it('carries one key id on the client, the bundle and the loaded keys, and the plan digest', () => {
    expect(alice.keyId).toMatch(/^[0-9a-f]{32}$/)
    expect(evaluationKeyId(alice.exportEvaluationKeys())).toBe(alice.keyId)
    expect(keys.keyId).toBe(alice.keyId)
    expect(mallory.keyId).not.toBe(alice.keyId)
    const env = openEnvelope(up[1]!, 'up[1]')
    expect(env).toMatchObject({ kind: 'input', index: 1, keyId: alice.keyId, planDigest: planDigest(plan) })
  })

  it('round-trips: server evaluates, the owner decrypts', () => {
    const { ciphertexts } = evaluateModel({ keys, model: task.model, ciphertexts: up, plan })
    const scores = decryptBatch({ client: alice, plan, ciphertexts, count: 2 })
    expect(scores).toHaveLength(2)
  })

  it('the server refuses a ciphertext under another client\'s key', () => {
    const foreign = encryptBatch({ client: mallory, plan, rows })
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [up[0]!, foreign[1]!], plan })).toThrow(HeKeyMismatchError)
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: foreign, plan })).toThrow(/another key/)
  })

  it('the server refuses a ciphertext made for another plan', () => {
    const other = planInference({ model: task.model, batchSize: 2, layout: 'sample-per-ciphertext', inputBound: 9 })
    expect(other.params).toEqual(plan.params)
    const forOther = encryptBatch({ client: alice, plan: other, rows })
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: forOther, plan })).toThrow(/another plan/)
  })

  it('refuses reordered, corrupted, truncated and raw ciphertexts', () => {
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [up[1]!, up[0]!], plan })).toThrow(/wrong position/)
    for (const at of [5, 20, 60, 1000, up[0]!.length - 40, up[0]!.length - 1]) {
      const bad = up[0]!.slice()
      bad[at]! ^= 0x10
      expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [bad, up[1]!], plan }), `flip at ${at}`).toThrow(HeSerializationError)
    }
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [up[0]!.subarray(0, 5000), up[1]!], plan })).toThrow(HeSerializationError)
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [openEnvelope(up[0]!, 'x').data, up[1]!], plan })).toThrow(/envelope/)
  })

  it('the client refuses outputs under another key, for another plan, swapped or corrupted', () => {
    const { ciphertexts } = evaluateModel({ keys, model: task.model, ciphertexts: up, plan })
    expect(() => decryptBatch({ client: mallory, plan, ciphertexts, count: 2 })).toThrow(HeKeyMismatchError)
    expect(() => decryptBatch({ client: alice, plan, ciphertexts: [ciphertexts[1]!, ciphertexts[0]!], count: 2 })).toThrow(/wrong position/)
    expect(() => decryptBatch({ client: alice, plan, ciphertexts: up, count: 2 })).toThrow(/input ciphertext/)
    const bad = ciphertexts[0]!.slice()
    bad[bad.length >> 1]! ^= 1
    expect(() => decryptBatch({ client: alice, plan, ciphertexts: [bad, ciphertexts[1]!], count: 2 })).toThrow(/checksum/)
  })

  it('a foreign ciphertext re-wrapped under the right key id (no authentication) still cannot pass as a result', () => {
    // what remains: the envelope is keyless, so a forger can relabel mallory's ciphertext; the
    // result under alice's key is garbage far beyond the plan's output bound, and is refused
    const theirs = encryptBatch({ client: mallory, plan, rows })
    const relabelled = theirs.map((c, i) => sealEnvelope({ kind: 'input', index: i, keyId: alice.keyId, planDigest: planDigest(plan) }, openEnvelope(c, 'c').data))
    const { ciphertexts } = evaluateModel({ keys, model: task.model, ciphertexts: relabelled, plan })
    expect(() => decryptBatch({ client: alice, plan, ciphertexts, count: 2 })).toThrow(HeOutputBoundError)
  })
})
