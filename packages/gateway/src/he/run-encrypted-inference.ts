/**
 * @module he/run-encrypted-inference
 * The pool side of an encrypted inference. A worker keeps the evaluation keys it loaded (WASM
 * memory, megabytes) cached by key id, so the bundle is not copied to it on every request: the
 * task is sent without the bundle first, and only a worker that does not hold the keys answers
 * `needBundle`, upon which the task is sent again with the bytes.
 */
import type { InferencePlan } from '@krain/he'
import type { Model } from '@krain/models'
import { BadRequestError } from '../errors.js'
import type { WorkerPool } from '../plugins/app/worker-pool.js'
import type { KeyRecord } from '../store/types.js'

/** Parameters of {@link runEncryptedInference}. */
export type RunEncryptedInferenceParameters = {
  pool: WorkerPool
  /** The caller's uploaded evaluation keys. */
  key: Pick<KeyRecord, 'id' | 'bundle'>
  model: Model
  plan: InferencePlan
  /** Serialised input ciphertexts. */
  ciphertexts: Uint8Array[]
}

/**
 * Evaluate `model` on the ciphertexts in the worker pool under the caller's evaluation keys.
 * @returns the output ciphertexts, base64
 * @throws {BadRequestError} HE_KEYS_UNAVAILABLE when the worker could not load the keys
 */
export async function runEncryptedInference({ pool, key, model, plan, ciphertexts }: RunEncryptedInferenceParameters): Promise<string[]> {
  const task = { kind: 'he-infer' as const, keyId: key.id, model, plan, ciphertexts }
  let out = await pool.run(task)
  if ('needBundle' in out) out = await pool.run({ ...task, bundle: new Uint8Array(key.bundle) })
  if ('needBundle' in out) throw new BadRequestError('HE_KEYS_UNAVAILABLE', 'evaluation keys could not be loaded')
  return out.ciphertexts
}
