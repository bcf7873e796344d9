/**
 * @module worker/circuits
 * A worker proves models with generated circuits too: whichever process built the circuit (a
 * gateway, or a `krain worker --queues build`) put it into the circuit cache (`KRAIN_CIRCUIT_CACHE`,
 * content-addressed) and stored the build job; before proving, or submitting a proof of such a model
 * (whose verifier may still have to be registered), the worker loads that circuit from the cache
 * (`@krain/zk` `loadCircuit` re-checks every file's hash) into this process's table of generated
 * circuits, as a restarted gateway does. Workers on other machines need the same cache (a shared
 * volume).
 */
import type { Store } from '../store/types.js'
import { loadBuiltCircuit as load } from '../zk/circuit-builds.js'

/**
 * Make the built circuit of `modelId` known in this process, if it has one.
 * @throws what `loadCircuit` throws when the build is recorded but its files are missing or altered
 */
export async function loadBuiltCircuit(store: Store, modelId: string): Promise<void> {
  await load(store, modelId)
}

/** Before a chain submission (outbox id `submit:<jobId>`): load the circuit of the job's model, if generated. */
export async function loadCircuitOfSubmission(store: Store, outboxId: string): Promise<void> {
  const jobId = outboxId.startsWith('submit:') ? outboxId.slice('submit:'.length) : null
  const job = jobId ? await store.getJob(jobId) : null
  if (job?.modelId) await load(store, job.modelId).catch(() => false) // not built here: the submission says what is missing
}
