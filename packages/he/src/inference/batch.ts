/**
 * @module inference/batch
 * Client side of encrypted inference: check rows against the plan's admissible inputs, apply the
 * model's standardisation, pack rows into ciphertexts the way the plan's layout prescribes (seeded
 * symmetric encryption: half-size uploads) inside envelopes bound to the client's key and the
 * plan; then open the server's envelopes, decrypt, and check every score against the plan's bound.
 */
import { anArray } from '@krain/core'
import { standardizeRow } from '@krain/models'
import { HeInputRangeError, HeKeyMismatchError, HeOutputBoundError, HeSerializationError } from '../errors.js'
import type { CkksClient } from '../ckks/ckks-client.js'
import { loadCiphertext } from '../ckks/ckks-vector.js'
import { tile } from '../ckks/ops.js'
import { bytesOf } from '../seal/serialization.js'
import { expectEnvelope, openEnvelope, sealEnvelope } from './envelope.js'
import { checkPlan, planDigestCached, type InferencePlan } from './planner.js'

/** Parameters of {@link encryptBatch}. */
export type EncryptBatchParameters = { client: CkksClient; plan: InferencePlan; rows: number[][] }

function checkClient(client: CkksClient, plan: InferencePlan): void {
  if (JSON.stringify(client.params) !== JSON.stringify(plan.params)) throw new HeKeyMismatchError({ shortMessage: 'the client was made for other parameters than the plan' })
}

/** Relative slack on the bounds for floating-point rounding of the standardisation. */
const SLACK = 1e-9

/**
 * Check rows against the plan's admissible inputs (raw `inputRange` when calibrated, then
 * |standardised x| ≤ `inputBound`) and return them standardised.
 * @throws {HeInputRangeError} naming the first offending row, feature and bound
 */
export function admitRows(plan: InferencePlan, rows: number[][]): number[][] {
  return rows.map((r, i) => {
    if (plan.inputRange) {
      const { lo, hi } = plan.inputRange
      for (let j = 0; j < r.length; j++) {
        const v = r[j]!
        if (v < lo[j]! - SLACK * Math.max(1, Math.abs(lo[j]!)) || v > hi[j]! + SLACK * Math.max(1, Math.abs(hi[j]!))) throw new HeInputRangeError({ shortMessage: `rows[${i}][${j}] = ${v} is outside the plan's calibrated range [${lo[j]}, ${hi[j]}] for feature ${j}`, details: 'the plan only guarantees its bounds and approximations for inputs inside the calibrated ranges; re-plan with calibration rows that cover this input' })
      }
    }
    const x = standardizeRow(plan.standardize, r)
    const bound = plan.inputBound * (1 + SLACK)
    for (let j = 0; j < x.length; j++) {
      if (!(Math.abs(x[j]!) <= bound)) throw new HeInputRangeError({ shortMessage: `rows[${i}][${j}] is outside the plan's input bound: |${x[j]}| > ${plan.inputBound}${plan.standardize ? ' (after standardisation)' : ''}`, details: 'the plan only guarantees its headroom and error bound for |x| ≤ inputBound; re-plan with a larger inputBound' })
    }
    return x
  })
}

/**
 * Encrypt feature rows for the server, in the plan's layout, after checking them against the plan
 * (see {@link admitRows}) and standardising them with the model's standardisation.
 * @param p - client (holding the secret key), plan, rows (each of `plan.inputs` finite numbers, raw features; at most `plan.batchSize`)
 * @returns ciphertext envelopes to send (bound to the client's key id and the plan's digest)
 * @throws {TypeError} / {RangeError} on malformed rows
 * @throws {HeInputRangeError} when a row is outside the plan's admissible inputs (nothing is encrypted)
 * @throws {HeKeyMismatchError} when the client's parameters are not the plan's
 * @example
 * ```ts
 * const up = encryptBatch({ client, plan, rows: test.x.slice(0, 8) })
 * ```
 */
export function encryptBatch(p: EncryptBatchParameters): Uint8Array[] {
  const plan = checkPlan(p?.plan)
  const { client } = p
  checkClient(client, plan)
  const raw = anArray<number[]>(p.rows, 'rows', 1, plan.batchSize)
  raw.forEach((r, i) => {
    anArray<number>(r, `rows[${i}]`, plan.inputs, plan.inputs)
    for (let j = 0; j < r.length; j++) if (typeof r[j] !== 'number' || !Number.isFinite(r[j])) throw new TypeError(`"rows[${i}][${j}]" expected a finite number, got ${String(r[j])}`)
  })
  const rows = admitRows(plan, raw)
  const keyId = client.keyId
  const planDigest = planDigestCached(plan)
  const wrap = (data: Uint8Array, index: number) => sealEnvelope({ kind: 'input', index, keyId, planDigest }, data)
  if (plan.layout === 'sample-per-ciphertext') return rows.map((r, i) => wrap(client.encryptSlots(tile(r, plan.periods[0]!, plan.slots)), i))
  const out: Uint8Array[] = []
  for (let g = 0; g < rows.length; g += plan.slots) {
    const group = rows.slice(g, g + plan.slots)
    for (let j = 0; j < plan.inputs; j++) {
      const slots = new Float64Array(plan.slots)
      for (let b = 0; b < group.length; b++) slots[b] = group[b]![j]!
      out.push(wrap(client.encryptSlots(slots), out.length))
    }
  }
  return out
}

/** Parameters of {@link decryptBatch}. */
export type DecryptBatchParameters = { client: CkksClient; plan: InferencePlan; ciphertexts: (Uint8Array | string)[]; count: number }

/**
 * Decrypt the server's outputs into one score vector per sample, checking each envelope against
 * the client's key and the plan, and each score against `plan.outputBound + plan.errorBound`.
 * @param p - client, plan, the server's ciphertexts, and the number of samples sent
 * @returns `count` rows of `plan.outputs` approximate scores (logits, or values for regression)
 * @throws {HeSerializationError} on malformed or corrupted ciphertexts or a wrong count
 * @throws {HeKeyMismatchError} on a ciphertext under another key, for another plan, or out of place
 * @throws {HeOutputBoundError} when a score exceeds what the plan guarantees (it would be wrong)
 */
export function decryptBatch(p: DecryptBatchParameters): number[][] {
  const plan = checkPlan(p?.plan)
  const { client } = p
  checkClient(client, plan)
  const count = p.count
  if (!Number.isSafeInteger(count) || count < 1 || count > plan.batchSize) throw new RangeError(`"count" expected an integer in [1, ${plan.batchSize}], got ${count}`)
  const groups = Math.ceil(count / plan.slots)
  const want = plan.layout === 'sample-per-ciphertext' ? count : groups * plan.outputs
  const cts = anArray<Uint8Array | string>(p.ciphertexts, 'ciphertexts', 0, 1 << 20)
  if (cts.length !== want) throw new HeSerializationError({ shortMessage: `expected ${want} output ciphertexts, got ${cts.length}` })
  const keys = { ctx: client.ctx, relinKeys: undefined, galoisKeys: undefined, galoisSteps: new Set<number>() }
  const keyId = client.keyId
  const planDigest = planDigestCached(plan)
  const decrypt = (c: Uint8Array | string, i: number): Float64Array => {
    const what = `ciphertexts[${i}]`
    const env = openEnvelope(bytesOf(c, what), what)
    expectEnvelope(env, { kind: 'output', index: i, keyId, planDigest }, what)
    const ct = loadCiphertext(keys, env.data, what)
    try {
      return client.decryptCiphertext(ct)
    } finally {
      ct.delete()
    }
  }
  let rows: number[][]
  if (plan.layout === 'sample-per-ciphertext') rows = cts.map((c, i) => Array.from(decrypt(c, i).subarray(0, plan.outputs)))
  else {
    rows = []
    for (let g = 0; g < groups; g++) {
      const outs = cts.slice(g * plan.outputs, (g + 1) * plan.outputs).map((c, k) => decrypt(c, g * plan.outputs + k))
      const n = Math.min(plan.slots, count - g * plan.slots)
      for (let b = 0; b < n; b++) rows.push(outs.map((o) => o[b]!))
    }
  }
  const limit = plan.outputBound + plan.errorBound
  rows.forEach((r, i) =>
    r.forEach((v, k) => {
      if (!(Math.abs(v) <= limit)) throw new HeOutputBoundError({ shortMessage: `score ${k} of sample ${i} decrypted to ${v.toExponential(3)}, beyond the plan's bound ${limit.toExponential(3)}`, details: 'the result cannot be a correct evaluation under this plan (inputs outside the plan, a foreign or tampered ciphertext, or an overflow); it is refused rather than returned' })
    }),
  )
  return rows
}
