/**
 * @module inference/evaluate-model
 * Server side of encrypted inference: take serialised input ciphertexts, check them against the
 * plan and the keys, run the compiled model, return serialised output ciphertexts. The server
 * never holds a secret key and never sees a plaintext. Synchronous (CPU-bound): run it in a worker
 * for large batches.
 */
import { anArray } from '@krain/core'
import type { Model } from '@krain/models'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeKeyMismatchError } from '../errors.js'
import { assertLive, type EvaluationKeys } from '../ckks/evaluation-keys.js'
import { loadCiphertext } from '../ckks/ckks-vector.js'
import { sealCall } from '../seal/guard.js'
import { bytesOf } from '../seal/serialization.js'
import { compileModel, inputLevelOk, type CompiledModel } from './compiled-model.js'
import { checkPlan, type InferencePlan } from './planner.js'

/** Parameters of {@link evaluateModel}. */
export type EvaluateModelParameters = {
  keys: EvaluationKeys
  model: Model | CompiledModel
  /** Serialised input ciphertexts (bytes or base64), as produced by `encryptBatch`. */
  ciphertexts: (Uint8Array | string)[]
  plan: InferencePlan
}

/** What {@link evaluateModel} returns. */
export type EvaluateModelReturnType = {
  /** Serialised output ciphertexts (SEAL format, uncompressed: zstd gains nothing at the last level), for `decryptBatch`. */
  ciphertexts: Uint8Array[]
  /** Bytes received and sent. */
  bytesIn: number
  bytesOut: number
}

const compiledCache = new WeakMap<EvaluationKeys, Map<string, { model: Model; compiled: CompiledModel }>>()

function compiledFor(keys: EvaluationKeys, model: Model | CompiledModel, plan: InferencePlan): CompiledModel {
  if (model instanceof Object && 'evaluateCiphertexts' in model) {
    const c = model as CompiledModel
    if (c.keys !== keys) throw new HeKeyMismatchError({ shortMessage: 'the compiled model belongs to other evaluation keys' })
    if (c.plan.modelId !== plan.modelId || c.plan.layout !== plan.layout) throw new HeKeyMismatchError({ shortMessage: 'the compiled model was compiled for another plan' })
    return c
  }
  let perKeys = compiledCache.get(keys)
  if (!perKeys) compiledCache.set(keys, (perKeys = new Map()))
  const key = `${plan.modelId}:${plan.layout}:${plan.periods.join(',')}`
  const hit = perKeys.get(key)
  if (hit && hit.model === model && !hit.compiled.disposed) return hit.compiled
  hit?.compiled.dispose()
  const compiled = compileModel({ keys, model: model as Model, plan })
  perKeys.set(key, { model: model as Model, compiled })
  return compiled
}

/**
 * Evaluate `model` on encrypted inputs (server side).
 * The model is compiled (weights encoded) on first use per keys and cached with the keys.
 * @param p - evaluation keys, model (or a compiled model), serialised ciphertexts, plan
 * @returns serialised output ciphertexts and byte counts
 * @throws {TypeError} on malformed arguments
 * @throws {HeSerializationError} on malformed or truncated ciphertexts
 * @throws {HeKeyMismatchError} when keys, plan, model or ciphertexts do not belong together
 * @example
 * ```ts
 * const { ciphertexts } = evaluateModel({ keys, model, ciphertexts: fromClient, plan })
 * ```
 */
export function evaluateModel(p: EvaluateModelParameters): EvaluateModelReturnType {
  const plan = checkPlan(p?.plan)
  const { keys } = p
  assertLive(keys)
  const compiled = compiledFor(keys, p.model, plan)
  const maxCts = plan.inputCiphertexts
  const raw = anArray<Uint8Array | string>(p.ciphertexts, 'ciphertexts', 1, maxCts)
  if (plan.layout === 'feature-major' && raw.length % plan.inputs !== 0) throw new RangeError(`"ciphertexts" expected a multiple of ${plan.inputs} ciphertexts (one per feature per group), got ${raw.length}`)
  const { ctx } = keys
  const inputs: CipherText[] = []
  let outputs: CipherText[] = []
  let bytesIn = 0
  try {
    raw.forEach((r, i) => {
      const data = bytesOf(r, `ciphertexts[${i}]`)
      bytesIn += data.length
      const ct = loadCiphertext(keys, data, `ciphertexts[${i}]`)
      inputs.push(ct)
      if (!inputLevelOk(ct, ctx.topLevel) || Math.abs(ct.scale / ctx.scale - 1) > 1e-9) throw new HeKeyMismatchError({ shortMessage: `ciphertexts[${i}] was not encrypted as the plan prescribes`, details: `level ${ct.coeffModulusSize - 1} (want ${ctx.topLevel}), scale 2^${Math.log2(ct.scale).toFixed(2)} (want 2^${ctx.params.scaleBits})` })
    })
    outputs = compiled.evaluateCiphertexts(inputs)
    const out = outputs.map((ct) => sealCall('serialise a ciphertext', () => ct.saveArray(ctx.seal.ComprModeType.none)))
    return { ciphertexts: out, bytesIn, bytesOut: out.reduce((a, b) => a + b.length, 0) }
  } finally {
    for (const ct of inputs) ct.delete()
    for (const ct of outputs) ct.delete()
  }
}
