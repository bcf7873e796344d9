/**
 * @module inference/evaluate-model
 * Server side of encrypted inference: take input ciphertext envelopes, check them against the
 * plan and the keys (key id, plan digest, position, checksum, level, scale), run the compiled
 * model, return output envelopes bound to the same key and plan. The server
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
import { checkModel, modelFingerprint } from './model-shape.js'
import { expectEnvelope, openEnvelope, sealEnvelope } from './envelope.js'
import { checkPlan, planDigestCached, type InferencePlan } from './planner.js'

/** Parameters of {@link evaluateModel}. */
export type EvaluateModelParameters = {
  keys: EvaluationKeys
  model: Model | CompiledModel
  /** Input ciphertext envelopes (bytes or base64), as produced by `encryptBatch`. */
  ciphertexts: (Uint8Array | string)[]
  plan: InferencePlan
}

/** What {@link evaluateModel} returns. */
export type EvaluateModelReturnType = {
  /** Output ciphertext envelopes (SEAL bytes uncompressed: zstd gains nothing at the last level), for `decryptBatch`. */
  ciphertexts: Uint8Array[]
  /** Bytes received and sent. */
  bytesIn: number
  bytesOut: number
}

const compiledCache = new WeakMap<EvaluationKeys, Map<string, { model: Model; compiled: CompiledModel }>>()

function safeFingerprint(model: Model): string | undefined {
  try {
    return modelFingerprint(checkModel(model))
  } catch {
    return undefined
  }
}

function compiledFor(keys: EvaluationKeys, model: Model | CompiledModel, plan: InferencePlan): CompiledModel {
  if (model instanceof Object && 'evaluateCiphertexts' in model) {
    const c = model as CompiledModel
    if (c.keys !== keys) throw new HeKeyMismatchError({ shortMessage: 'the compiled model belongs to other evaluation keys' })
    if (c.plan !== plan && planDigestCached(c.plan) !== planDigestCached(plan)) throw new HeKeyMismatchError({ shortMessage: 'the compiled model was compiled for another plan' })
    return c
  }
  let perKeys = compiledCache.get(keys)
  if (!perKeys) compiledCache.set(keys, (perKeys = new Map()))
  // the compiled form depends on the whole plan (layout, input box, approximation degrees)
  const key = planDigestCached(plan)
  const hit = perKeys.get(key)
  // same plan digest ⇒ same modelId; a model object equal by fingerprint reuses the compilation
  if (hit && !hit.compiled.disposed && (hit.model === model || safeFingerprint(model as Model) === plan.modelId)) {
    hit.model = model as Model
    return hit.compiled
  }
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
 * @throws {HeSerializationError} on malformed, truncated or corrupted ciphertexts (checksum)
 * @throws {HeKeyMismatchError} when keys, plan, model or ciphertexts do not belong together (a
 * ciphertext under another key id, for another plan, or at another position of the batch)
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
  const planDigest = planDigestCached(plan)
  const inputs: CipherText[] = []
  let outputs: CipherText[] = []
  let bytesIn = 0
  try {
    raw.forEach((r, i) => {
      const what = `ciphertexts[${i}]`
      const bytes = bytesOf(r, what)
      bytesIn += bytes.length
      const env = openEnvelope(bytes, what)
      expectEnvelope(env, { kind: 'input', index: i, keyId: keys.keyId, planDigest }, what)
      const ct = loadCiphertext(keys, env.data, what)
      inputs.push(ct)
      if (!inputLevelOk(ct, ctx.topLevel) || Math.abs(ct.scale / ctx.scale - 1) > 1e-9) throw new HeKeyMismatchError({ shortMessage: `ciphertexts[${i}] was not encrypted as the plan prescribes`, details: `level ${ct.coeffModulusSize - 1} (want ${ctx.topLevel}), scale 2^${Math.log2(ct.scale).toFixed(2)} (want 2^${ctx.params.scaleBits})` })
    })
    outputs = compiled.evaluateCiphertexts(inputs)
    const out = outputs.map((ct, i) => sealEnvelope({ kind: 'output', index: i, keyId: keys.keyId, planDigest }, sealCall('serialise a ciphertext', () => ct.saveArray(ctx.seal.ComprModeType.none))))
    return { ciphertexts: out, bytesIn, bytesOut: out.reduce((a, b) => a + b.length, 0) }
  } finally {
    for (const ct of inputs) ct.delete()
    for (const ct of outputs) ct.delete()
  }
}
