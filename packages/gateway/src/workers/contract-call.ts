/**
 * @module workers/contract-call
 * A secret-contract call in a worker (`@krain/contracts-lang`): the contract is compiled from its
 * stored source (cached by content hash; the hash must match the deployed one), the caller's
 * evaluation keys are loaded (cached per key id, like the encrypted-inference worker) and every
 * batch of ciphertexts is evaluated. Ciphertexts in, ciphertexts out: no secret key is ever here.
 */
import { compileForGateway, runContract, type CompiledContract, type PlainValue } from '@krain/contracts-lang'
import { loadEvaluationKeys, type EvaluationKeys } from '@krain/he'

/** The task: a deployed contract's source and hash, the caller's key id (and bundle on a cache miss), the batches. */
export type ContractCallTask = {
  kind: 'contract-call'
  source: string
  hash: string
  keyId: string
  bundle?: Uint8Array
  batches: { count: number; inputs: Record<string, string> }[]
  plain?: Record<string, PlainValue>
}

/** What the task returns: base64 ciphertexts per encrypted output, per batch (or a request for the key bundle). */
export type ContractCallResult = { batches: { count: number; outputs: Record<string, string>; plain: Record<string, PlainValue> }[] } | { needBundle: true }

const MAX_CACHED = 4
const keyCache = new Map<string, EvaluationKeys>()
const compiledCache = new Map<string, CompiledContract>()

function lru<V>(map: Map<string, V>, key: string, value: V, drop?: (v: V) => void): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > MAX_CACHED) {
    const [k, v] = map.entries().next().value as [string, V]
    map.delete(k)
    drop?.(v)
  }
}

/** Evaluate a deployed contract on the caller's ciphertexts. */
export async function callContract(task: ContractCallTask): Promise<ContractCallResult> {
  let compiled = compiledCache.get(task.hash)
  if (!compiled) {
    compiled = compileForGateway(task.source)
    if (compiled.hash !== task.hash) throw new Error('the stored contract no longer compiles to its deployed hash')
  }
  lru(compiledCache, task.hash, compiled)
  const { plan } = compiled
  const cacheKey = `${task.keyId}:${task.hash}`
  let keys = keyCache.get(cacheKey)
  if (!keys || keys.disposed) {
    if (!task.bundle) return { needBundle: true }
    keys = await loadEvaluationKeys(task.bundle, { expectParams: plan.params, requireGaloisSteps: plan.galoisSteps, requireRelin: plan.relin })
  }
  lru(keyCache, cacheKey, keys, (k) => k.dispose())
  const batches = task.batches.map((b) => {
    const out = runContract({ compiled: compiled!, inputs: b.inputs, plain: task.plain ?? {}, evalKeys: keys! })
    const outputs: Record<string, string> = {}
    for (const [name, bytes] of Object.entries(out.outputs)) outputs[name] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    return { count: b.count, outputs, plain: out.plain }
  })
  return { batches }
}
