/**
 * @module ckks/ckks-context
 * A CKKS context: SEAL's `SEALContext` for one parameter set, with its encoder and evaluator, the
 * primes of the modulus chain and the `parms_id` of every level. Contexts are immutable and
 * shared: {@link createCkksContext} returns the same instance for the same parameters.
 * Levels are numbered by how many rescales remain: a fresh ciphertext is at `topLevel`
 * (= depth), the last one at 0.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { CKKSEncoder } from 'node-seal/implementation/ckks-encoder.js'
import type { Context } from 'node-seal/implementation/context.js'
import type { Evaluator } from 'node-seal/implementation/evaluator.js'
import type { ParmsIdType } from 'node-seal/implementation/parms-id-type.js'
import type { PlainText } from 'node-seal/implementation/plain-text.js'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeParametersError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import { loadSeal, type Seal } from '../seal/load-seal.js'
import { checkCkksParameters, type CkksParameters } from './ckks-parameters.js'

/** A loaded CKKS parameter set (shared, never disposed by users). */
export type CkksContext = {
  readonly kind: 'ckks'
  readonly seal: Seal
  readonly params: CkksParameters
  /** Short fingerprint of the exact parameters (hash of SEAL's serialised parameters). */
  readonly paramsId: string
  readonly context: Context
  readonly encoder: CKKSEncoder
  readonly evaluator: Evaluator
  /** N/2. */
  readonly slotCount: number
  /** 2^scaleBits. */
  readonly scale: number
  /** Data primes q0..qL (without the special prime), as numbers (exact below 2^53 is not needed). */
  readonly primes: number[]
  /** Level of a fresh ciphertext (number of rescales available). */
  readonly topLevel: number
  /** `parmsIds[level]`. */
  readonly parmsIds: ParmsIdType[]
}

const cache = new Map<string, Promise<CkksContext>>()
/** Contexts are kept for the life of the process; a server sees few parameter sets (its plans'). */
const MAX_CONTEXTS = 32

/**
 * The CKKS context for `params` (validated; created once per parameter set and shared).
 * @param params - parameters, e.g. {@link CKKS_PRESETS}.n8192 or a planner's choice
 * @returns the context
 * @throws {HeParametersError} when the parameters are invalid, SEAL rejects them (`parametersSet()`
 * false) or the process already holds 32 other parameter sets
 * @example
 * ```ts
 * const ctx = await createCkksContext(CKKS_PRESETS.n8192)
 * ctx.slotCount // 4096
 * ```
 */
export function createCkksContext(params: CkksParameters): Promise<CkksContext> {
  const p = checkCkksParameters(params)
  const key = `${p.polyModulusDegree}:${p.coeffModulusBits.join(',')}:${p.scaleBits}`
  let hit = cache.get(key)
  if (!hit) {
    if (cache.size >= MAX_CONTEXTS) return Promise.reject(new HeParametersError({ shortMessage: `too many distinct CKKS parameter sets in this process (limit ${MAX_CONTEXTS})` }))
    hit = loadSeal().then((seal) => buildContext(seal, p))
    hit.catch(() => cache.delete(key))
    cache.set(key, hit)
  }
  return hit
}

function buildContext(seal: Seal, params: CkksParameters): CkksContext {
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks)
  const coeff = sealCall('create the coefficient modulus', () => seal.CoeffModulus.Create(params.polyModulusDegree, Int32Array.from(params.coeffModulusBits)))
  try {
    parms.setPolyModulusDegree(params.polyModulusDegree)
    parms.setCoeffModulus(coeff)
    const context = seal.Context(parms, true, seal.SecurityLevel.tc128)
    if (!context.parametersSet()) {
      context.delete()
      throw new HeParametersError({ shortMessage: 'SEAL rejected the CKKS parameters', details: JSON.stringify(params) })
    }
    const paramsId = bytesToHex(sha256(parms.saveArray(seal.ComprModeType.none))).slice(0, 32)
    const primes = Array.from(parms.coeffModulus.slice(0, params.coeffModulusBits.length - 1), (q) => Number(q))
    const parmsIds: ParmsIdType[] = []
    let data = context.firstContextData
    for (;;) {
      parmsIds[data.chainIndex] = data.parmsId
      if (data.chainIndex === 0) break
      const next = data.nextContextData
      data.delete()
      data = next
    }
    data.delete()
    return {
      kind: 'ckks',
      seal,
      params,
      paramsId,
      context,
      encoder: seal.CKKSEncoder(context),
      evaluator: seal.Evaluator(context),
      slotCount: params.polyModulusDegree / 2,
      scale: 2 ** params.scaleBits,
      primes,
      topLevel: primes.length - 1,
      parmsIds,
    }
  } finally {
    coeff.delete()
    parms.delete()
  }
}

/** Level of a ciphertext (rescales left). */
export function levelOf(ct: CipherText | PlainText): number {
  return 'coeffModulusSize' in ct ? ct.coeffModulusSize - 1 : 0
}

/**
 * Encode `values` (shorter arrays are zero-padded; a number fills every slot) at `level` and `scale`
 * into `dest` (or a new plaintext, owned by the caller).
 * @internal trusted input
 */
export function encodeAt(ctx: CkksContext, values: ArrayLike<number> | number, level: number, scale: number, dest?: PlainText): PlainText {
  const arr = new Float64Array(ctx.slotCount)
  if (typeof values === 'number') arr.fill(values)
  else arr.set(values as ArrayLike<number>)
  const pt = dest ?? ctx.seal.PlainText()
  sealCall('encode', () => {
    ctx.encoder.encode(arr, scale, pt)
    if (level < ctx.topLevel) ctx.evaluator.plainModSwitchTo(pt, ctx.parmsIds[level]!, pt)
  })
  return pt
}
