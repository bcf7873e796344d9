/**
 * @module workers/he-infer
 * Encrypted inference in a worker (`@krain/he`): load an agent's evaluation keys (cached per key id,
 * a few at a time, disposed on eviction: they are WASM memory), evaluate the model on the
 * ciphertexts, return ciphertexts. No secret key is ever here.
 */
import { checkPlan, evaluateModel, loadEvaluationKeys, type EvaluationKeys } from '@krain/he'
import type { WorkerTask } from './types.js'

const MAX_CACHED_KEYS = 4
const cache = new Map<string, EvaluationKeys>()

function remember(keyId: string, keys: EvaluationKeys): void {
  cache.set(keyId, keys)
  while (cache.size > MAX_CACHED_KEYS) {
    const [oldest, k] = cache.entries().next().value as [string, EvaluationKeys]
    cache.delete(oldest)
    k.dispose()
  }
}

/** Load a bundle, report its parameters, free it. */
export async function inspectKeys({ bundle }: Extract<WorkerTask, { kind: 'he-inspect-keys' }>): Promise<{ paramsId: string; polyModulusDegree: number; galoisSteps: number[]; relin: boolean; bytes: number }> {
  const keys = await loadEvaluationKeys(bundle)
  try {
    return { paramsId: keys.paramsId, polyModulusDegree: keys.ctx.params.polyModulusDegree, galoisSteps: [...keys.galoisSteps].sort((a, b) => a - b), relin: keys.relinKeys !== undefined, bytes: keys.bundleBytes }
  } finally {
    keys.dispose()
  }
}

/** Evaluate a model on a ciphertext batch under the uploaded evaluation keys. */
export async function evaluateEncrypted(task: Extract<WorkerTask, { kind: 'he-infer' }>): Promise<{ ciphertexts: string[] } | { needBundle: true }> {
  const plan = checkPlan(task.plan) // structured-cloned: checked again on this side
  let keys = cache.get(task.keyId)
  if (!keys || keys.disposed) {
    if (!task.bundle) return { needBundle: true }
    keys = await loadEvaluationKeys(task.bundle, { expectParams: plan.params, requireGaloisSteps: plan.galoisSteps, requireRelin: plan.relin })
    remember(task.keyId, keys)
  } else {
    cache.delete(task.keyId) // refresh LRU position
    cache.set(task.keyId, keys)
  }
  const out = evaluateModel({ keys, model: task.model, ciphertexts: task.ciphertexts, plan })
  return { ciphertexts: out.ciphertexts.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64')) }
}
