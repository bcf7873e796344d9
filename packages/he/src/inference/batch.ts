/**
 * @module inference/batch
 * Client side of encrypted inference: pack rows into ciphertexts the way the plan's layout
 * prescribes (seeded symmetric encryption: half-size uploads), and unpack decrypted outputs.
 */
import { anArray } from '@krain/core'
import { HeKeyMismatchError, HeSerializationError } from '../errors.js'
import type { CkksClient } from '../ckks/ckks-client.js'
import { loadCiphertext } from '../ckks/ckks-vector.js'
import { tile } from '../ckks/ops.js'
import { bytesOf } from '../seal/serialization.js'
import { checkPlan, type InferencePlan } from './planner.js'

/** Parameters of {@link encryptBatch}. */
export type EncryptBatchParameters = { client: CkksClient; plan: InferencePlan; rows: number[][] }

function checkClient(client: CkksClient, plan: InferencePlan): void {
  if (JSON.stringify(client.params) !== JSON.stringify(plan.params)) throw new HeKeyMismatchError({ shortMessage: 'the client was made for other parameters than the plan' })
}

/**
 * Encrypt feature rows for the server, in the plan's layout.
 * @param p - client (holding the secret key), plan, rows (each of `plan.inputs` finite numbers; at most `plan.batchSize`)
 * @returns serialised ciphertexts to send
 * @throws {TypeError} / {RangeError} on malformed rows
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
  const rows = anArray<number[]>(p.rows, 'rows', 1, plan.batchSize)
  rows.forEach((r, i) => {
    anArray<number>(r, `rows[${i}]`, plan.inputs, plan.inputs)
    for (let j = 0; j < r.length; j++) if (typeof r[j] !== 'number' || !Number.isFinite(r[j])) throw new TypeError(`"rows[${i}][${j}]" expected a finite number, got ${String(r[j])}`)
  })
  if (plan.layout === 'sample-per-ciphertext') return rows.map((r) => client.encryptSlots(tile(r, plan.periods[0]!, plan.slots)))
  const out: Uint8Array[] = []
  for (let g = 0; g < rows.length; g += plan.slots) {
    const group = rows.slice(g, g + plan.slots)
    for (let j = 0; j < plan.inputs; j++) {
      const slots = new Float64Array(plan.slots)
      for (let b = 0; b < group.length; b++) slots[b] = group[b]![j]!
      out.push(client.encryptSlots(slots))
    }
  }
  return out
}

/** Parameters of {@link decryptBatch}. */
export type DecryptBatchParameters = { client: CkksClient; plan: InferencePlan; ciphertexts: (Uint8Array | string)[]; count: number }

/**
 * Decrypt the server's outputs into one score vector per sample.
 * @param p - client, plan, the server's ciphertexts, and the number of samples sent
 * @returns `count` rows of `plan.outputs` approximate scores (logits)
 * @throws {HeSerializationError} on malformed ciphertexts or a wrong count
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
  const decrypt = (c: Uint8Array | string, i: number): Float64Array => {
    const ct = loadCiphertext(keys, bytesOf(c, `ciphertexts[${i}]`), `ciphertexts[${i}]`)
    try {
      return client.decryptCiphertext(ct)
    } finally {
      ct.delete()
    }
  }
  if (plan.layout === 'sample-per-ciphertext') return cts.map((c, i) => Array.from(decrypt(c, i).subarray(0, plan.outputs)))
  const rows: number[][] = []
  for (let g = 0; g < groups; g++) {
    const outs = cts.slice(g * plan.outputs, (g + 1) * plan.outputs).map((c, k) => decrypt(c, g * plan.outputs + k))
    const n = Math.min(plan.slots, count - g * plan.slots)
    for (let b = 0; b < n; b++) rows.push(outs.map((o) => o[b]!))
  }
  return rows
}
