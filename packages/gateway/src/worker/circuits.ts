/**
 * @module worker/circuits
 * A worker proves models with generated circuits too: the gateway that registered the model built
 * its circuit into the circuit cache (`KRAIN_CIRCUIT_CACHE`, content-addressed) and stored the build
 * job; before proving, the worker loads that circuit from the cache (`@krain/zk` `loadCircuit`
 * re-checks every file's hash) into this process's table of generated circuits, as a restarted
 * gateway does. Workers on other machines need the same cache (a shared volume).
 */
import { loadCircuit, type QuantizedNetwork } from '@krain/zk'
import { bigJson } from '../models/prepare-model.js'
import type { Store } from '../store/types.js'
import { buildJobId } from '../zk/circuit-builds.js'
import { circuitOfModel, rememberCircuit } from '../zk/generated-circuits.js'

/**
 * Make the built circuit of `modelId` known in this process, if it has one.
 * @throws what `loadCircuit` throws when the build is recorded but its files are missing or altered
 */
export async function loadBuiltCircuit(store: Store, modelId: string): Promise<void> {
  if (circuitOfModel(modelId)) return
  const job = await store.getJob(buildJobId(modelId))
  const circuitId = job?.kind === 'circuit-build' ? job.result?.circuitId : undefined
  if (!circuitId || (job?.state !== 'proved' && job?.state !== 'confirmed')) return
  const model = await store.getModel(modelId)
  const quantized = model?.meta?.quantized
  if (!model?.commitment || !quantized) return
  rememberCircuit({ modelId, modelCommitment: model.commitment, quantized: bigJson.parse<QuantizedNetwork>(JSON.stringify(quantized)), circuit: loadCircuit({ id: circuitId }) })
}
