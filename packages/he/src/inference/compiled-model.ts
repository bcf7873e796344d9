/**
 * @module inference/compiled-model
 * A model prepared for encrypted evaluation under one set of evaluation keys and one plan: the
 * network as the plan evaluates it (`network-bounds.ts`: normalisation of approximated neurons
 * folded into the weights, per-neuron Chebyshev coefficients) is encoded once as CKKS plaintexts
 * at the levels where they are used (diagonals and per-slot coefficient vectors for the
 * sample-per-ciphertext layout, scalars for feature-major), so each evaluation only multiplies,
 * rotates and adds. Scalar plaintexts beyond `plaintextCacheBytes` are encoded on the fly.
 * Owns WASM memory: dispose it (it is also disposed with its keys).
 */
import type { Model } from '@krain/models'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import type { PlainText } from 'node-seal/implementation/plain-text.js'
import { HeDisposedError, HeKeyMismatchError } from '../errors.js'
import { encodeAt, levelOf } from '../ckks/ckks-context.js'
import { evalChebyshev } from '../ckks/chebyshev.js'
import { assertLive, onKeysDispose, type EvaluationKeys } from '../ckks/evaluation-keys.js'
import { applyMatVec, dropTo, encodeMatVec, mulCipher, rescale, tile, type EncodedMatVec } from '../ckks/ops.js'
import { sealCall } from '../seal/guard.js'
import { countSealObjects, Scope } from '../seal/scope.js'
import { checkModel, layersOf, modelFingerprint } from './model-shape.js'
import { prepareNetwork, type PreparedLayer } from './network-bounds.js'
import { checkPlan, degreesOf, inputBoxOf, type InferencePlan } from './planner.js'

/** Default memory allowed for cached scalar plaintexts of the feature-major layout. */
export const DEFAULT_PLAINTEXT_CACHE_BYTES = 160 * 2 ** 20

type Activation = { kind: 'identity' } | { kind: 'square' } | { kind: 'poly'; outLevel: number }
type SampleLayer = { mv: EncodedMatVec; bias: PlainText; act: Activation; coefficients: Float64Array[] | undefined }
type FeatureLayer = { level: number; weights: number[][]; bias: number[]; cached: (PlainText | undefined)[][] | undefined; biasPts: PlainText[]; act: Activation; coefficients: number[][] | undefined }

/** Parameters of {@link compileModel}. */
export type CompileModelParameters = {
  keys: EvaluationKeys
  model: Model
  plan: InferencePlan
  /** Memory for cached feature-major weight plaintexts (default 160 MiB). */
  plaintextCacheBytes?: number
}

function activationOf(l: PreparedLayer, inLevel: number): Activation {
  if (l.activation === 'square') return { kind: 'square' }
  if (l.coefficients) return { kind: 'poly', outLevel: inLevel - l.levels }
  return { kind: 'identity' }
}

/** A compiled model (see the module notes). */
export class CompiledModel implements Disposable {
  readonly keys: EvaluationKeys
  readonly plan: InferencePlan
  #scope: Scope | undefined = new Scope()
  #sample: SampleLayer[] = []
  #feature: FeatureLayer[] = []
  #scratch: PlainText

  /** @internal use {@link compileModel} */
  constructor({ keys, model, plan, plaintextCacheBytes = DEFAULT_PLAINTEXT_CACHE_BYTES }: CompileModelParameters) {
    this.keys = keys
    this.plan = plan
    const { ctx } = keys
    const scope = this.#scope!
    this.#scratch = scope.track(ctx.seal.PlainText())
    const layers = prepareNetwork(layersOf(model), inputBoxOf(plan), degreesOf(plan))
    let level = ctx.topLevel
    let budget = plaintextCacheBytes
    try {
      layers.forEach((l, i) => {
        const act = activationOf(l, level)
        if (plan.layout === 'sample-per-ciphertext') {
          const mv = encodeMatVec(ctx, l.weights, plan.periods[i]!, level, (p) => scope.track(p))
          const bias = scope.track(encodeAt(ctx, tile(l.bias, mv.m, ctx.slotCount), level - 1, ctx.scale))
          const coefficients = l.coefficients ? l.coefficients[0]!.map((_, d) => tile(l.coefficients!.map((c) => c[d]!), mv.m, ctx.slotCount)) : undefined
          this.#sample.push({ mv, bias, act, coefficients })
        } else {
          const bytes = l.weights.length * l.weights[0]!.length * ctx.params.polyModulusDegree * (level + 1) * 8
          let cached: (PlainText | undefined)[][] | undefined
          if (bytes <= budget) {
            budget -= bytes
            cached = l.weights.map((row) => row.map((w) => (w === 0 ? undefined : scope.track(encodeAt(ctx, w, level, ctx.primes[level]!)))))
          }
          const biasPts = l.bias.map((b) => scope.track(encodeAt(ctx, b, level - 1, ctx.scale)))
          this.#feature.push({ level, weights: l.weights, bias: l.bias, cached, biasPts, act, coefficients: l.coefficients })
        }
        level -= l.levels
      })
    } catch (e) {
      scope.dispose()
      throw e
    }
    countSealObjects(1)
    onKeysDispose(keys, () => this.dispose())
  }

  get disposed(): boolean {
    return this.#scope === undefined
  }

  #check(): void {
    if (!this.#scope) throw new HeDisposedError({ shortMessage: 'compiled model was disposed' })
    assertLive(this.keys)
  }

  /**
   * Evaluate on loaded input ciphertexts (borrowed) and return the output ciphertexts (owned by the caller).
   * @internal callers validate the inputs (see `evaluateModel`)
   */
  evaluateCiphertexts(inputs: CipherText[]): CipherText[] {
    this.#check()
    return this.plan.layout === 'sample-per-ciphertext' ? inputs.map((x) => this.#evalSample(x)) : this.#evalFeatureMajor(inputs)
  }

  /** `y ← act(y)` in place (y owned by the caller), for one ciphertext. */
  #activate(y: CipherText, act: Activation, coefficients: (number | Float64Array)[] | undefined, scope: Scope): void {
    if (act.kind === 'square') mulCipher(this.keys, y, y, y, scope)
    else if (act.kind === 'poly') {
      const out = scope.track(this.keys.ctx.seal.CipherText())
      evalChebyshev(this.keys, y, coefficients!, out, scope)
      dropTo(this.keys.ctx, out, act.outLevel)
      y.copy(out)
    }
  }

  #evalSample(x: CipherText): CipherText {
    const { ctx } = this.keys
    const scope = new Scope()
    const out = ctx.seal.CipherText()
    try {
      let cur = x
      this.#sample.forEach((layer, i) => {
        const y = i === this.#sample.length - 1 ? out : scope.track(ctx.seal.CipherText())
        applyMatVec(this.keys, cur, layer.mv, y, scope)
        layer.bias.setScale(y.scale)
        sealCall('add the bias', () => ctx.evaluator.addPlain(y, layer.bias, y))
        this.#activate(y, layer.act, layer.coefficients, scope)
        cur = y
      })
      return out
    } catch (e) {
      out.delete()
      throw e
    } finally {
      scope.dispose()
    }
  }

  #evalFeatureMajor(inputs: CipherText[]): CipherText[] {
    const { ctx } = this.keys
    const ev = ctx.evaluator
    const inDim = this.plan.inputs
    const results: CipherText[] = []
    try {
      for (let g = 0; g < inputs.length / inDim; g++) {
        const scope = new Scope()
        try {
          let cur = inputs.slice(g * inDim, (g + 1) * inDim)
          this.#feature.forEach((layer, li) => {
            const last = li === this.#feature.length - 1
            const tmp = scope.track(ctx.seal.CipherText())
            const next = layer.weights.map((row, k) => {
              const acc = last ? ctx.seal.CipherText() : scope.track(ctx.seal.CipherText())
              if (last) results.push(acc)
              let started = false
              row.forEach((w, j) => {
                if (w === 0) return
                let pt = layer.cached?.[k]![j]
                if (!pt) pt = encodeAt(ctx, w, layer.level, ctx.primes[layer.level]!, this.#scratch)
                sealCall('multiply by a weight', () => {
                  if (!started) ev.multiplyPlain(cur[j]!, pt, acc)
                  else {
                    ev.multiplyPlain(cur[j]!, pt, tmp)
                    ev.add(acc, tmp, acc)
                  }
                })
                started = true
              })
              if (!started) sealCall('multiply by a weight', () => ev.multiplyPlain(cur[0]!, encodeAt(ctx, 0, layer.level, ctx.primes[layer.level]!, this.#scratch), acc))
              rescale(ctx, acc)
              const b = layer.biasPts[k]!
              b.setScale(acc.scale)
              sealCall('add the bias', () => ev.addPlain(acc, b, acc))
              if (layer.act.kind !== 'identity') {
                const s = new Scope()
                try {
                  this.#activate(acc, layer.act, layer.coefficients?.[k], s)
                } finally {
                  s.dispose()
                }
              }
              return acc
            })
            cur = next
          })
        } finally {
          scope.dispose()
        }
      }
      return results
    } catch (e) {
      for (const r of results) r.delete()
      throw e
    }
  }

  /** Free the plaintexts. Idempotent. */
  dispose(): void {
    if (!this.#scope) return
    this.#scope.dispose()
    this.#scope = undefined
    countSealObjects(-1)
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Prepare `model` for encrypted evaluation under `keys` and `plan` (encodes the weights once).
 * @param p - keys, model, plan (and the plaintext cache budget)
 * @returns the compiled model; dispose it, or let it go with its keys
 * @throws {HeKeyMismatchError} when the keys lack what the plan needs or the model is not the plan's
 * @example
 * ```ts
 * using compiled = compileModel({ keys, model, plan })
 * ```
 */
export function compileModel(p: CompileModelParameters): CompiledModel {
  const plan = checkPlan(p?.plan)
  const model = checkModel(p.model)
  assertLive(p.keys)
  checkKeysForPlan(p.keys, plan)
  if (modelFingerprint(model) !== plan.modelId) throw new HeKeyMismatchError({ shortMessage: 'the model is not the one the plan was made for', details: `plan modelId ${plan.modelId}` })
  return new CompiledModel({ ...p, model, plan })
}

/** @internal Check that `keys` fit `plan` (parameters, Galois steps, relinearisation). */
export function checkKeysForPlan(keys: EvaluationKeys, plan: InferencePlan): void {
  if (JSON.stringify(keys.ctx.params) !== JSON.stringify(plan.params)) throw new HeKeyMismatchError({ shortMessage: 'evaluation keys were made for other parameters than the plan', details: `keys ${JSON.stringify(keys.ctx.params)}, plan ${JSON.stringify(plan.params)}` })
  const missing = plan.galoisSteps.filter((s) => !keys.galoisSteps.has(s))
  if (missing.length) throw new HeKeyMismatchError({ shortMessage: 'evaluation keys lack Galois keys the plan needs', details: `missing steps ${missing.join(', ')}` })
  if (plan.relin && !keys.relinKeys) throw new HeKeyMismatchError({ shortMessage: 'evaluation keys lack the relinearisation keys the plan needs' })
}

/** @internal level a fresh input must have */
export function inputLevelOk(ct: CipherText, topLevel: number): boolean {
  return levelOf(ct) === topLevel
}
