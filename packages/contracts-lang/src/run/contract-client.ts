/**
 * @module run/contract-client
 * The caller's side of a contract: keys for the plan (secret key stays here), encryption of rows
 * of inputs into batches laid out per the plan (many samples per ciphertext), and decryption of the
 * outputs with a bound check: a value outside the plan's range ± error bound is a typed error,
 * never a silently wrong answer.
 */
import { createCkksClient, type CkksClient } from '@krain/he'
import { ContractInputError, ContractOutputBoundError, ContractUnsupportedError } from '../errors.js'
import type { CompiledContract } from '../compile/compile-contract.js'
import { checkInputValue, type PlainValue } from './values.js'

/** One batch of encrypted inputs: ciphertext bytes per encrypted input, and how many rows it holds. */
export type EncryptedBatch = { count: number; inputs: Record<string, Uint8Array> }

/** The caller's contract client (holds the CKKS secret key). Dispose it when done. */
export class ContractClient implements Disposable {
  readonly compiled: CompiledContract
  readonly ckks: CkksClient
  /** @internal use {@link createContractClient} */
  constructor(compiled: CompiledContract, ckks: CkksClient) {
    this.compiled = compiled
    this.ckks = ckks
  }

  /** The evaluation-key bundle to upload to the server (no secret key in it). */
  evaluationKeyBundle(): Uint8Array {
    return this.ckks.exportEvaluationKeys()
  }

  /**
   * Encrypt rows of encrypted-input values, `plan.samplesPerCiphertext` rows per batch.
   * @param rows - one object per sample with a value for every encrypted input
   * @throws {ContractInputError} missing, mis-sized or out-of-range values
   */
  encryptInputs(rows: Record<string, PlainValue>[]): EncryptedBatch[] {
    if (!Array.isArray(rows) || rows.length === 0) throw new TypeError('"rows" expected a non-empty array')
    const { plan, program } = this.compiled
    const slots = this.ckks.ctx.slotCount
    const per = plan.samplesPerCiphertext
    const enc = program.inputs.filter((i) => i.enc)
    const batches: EncryptedBatch[] = []
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per)
      const inputs: Record<string, Uint8Array> = {}
      for (const i of enc) {
        const buf = new Array<number>(slots).fill(0)
        chunk.forEach((row, k) => {
          if (!row || typeof row !== 'object' || !(i.name in row)) throw new ContractInputError({ shortMessage: `rows[${start + k}] lacks input "${i.name}"` })
          const v = checkInputValue(i, row[i.name], `rows[${start + k}].`)
          const base = k * plan.blockSize
          if (typeof v === 'number') for (let s = 0; s < plan.blockSize; s++) buf[base + s] = v
          else for (let s = 0; s < v.length; s++) buf[base + s] = v[s]!
        })
        inputs[i.name] = this.ckks.encryptToBytes(buf)
      }
      batches.push({ count: chunk.length, inputs })
    }
    return batches
  }

  /**
   * Decrypt one batch's outputs into rows, checking each value against the plan.
   * @param outputs - `runContract(...).outputs`
   * @param count - rows in the batch
   * @throws {ContractOutputBoundError} a value outside the output's range ± error bound
   */
  decryptOutputs(outputs: Record<string, Uint8Array | string>, count: number): Record<string, PlainValue>[] {
    const { plan } = this.compiled
    const rows: Record<string, PlainValue>[] = Array.from({ length: count }, () => ({}))
    for (const o of plan.outputs.filter((x) => x.enc)) {
      const bytes = outputs[o.name]
      if (bytes === undefined) throw new ContractInputError({ shortMessage: `missing output "${o.name}"` })
      const slots = this.ckks.decrypt(bytes)
      const lo = o.range[0] - o.errorBound
      const hi = o.range[1] + o.errorBound
      for (let k = 0; k < count; k++) {
        const base = k * plan.blockSize
        const vals = o.length === 0 ? [slots[base]!] : slots.slice(base, base + o.length)
        for (const x of vals) {
          if (!(x >= lo && x <= hi)) throw new ContractOutputBoundError({ shortMessage: `output "${o.name}" of row ${k} decrypted to ${x}, outside [${lo}, ${hi}] (range ± error bound)`, details: 'the ciphertext was tampered with, made under other keys, or the inputs were outside their declared ranges' })
        }
        rows[k]![o.name] = o.length === 0 ? vals[0]! : vals
      }
    }
    return rows
  }

  dispose(): void {
    this.ckks.dispose()
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Create the caller's client for a compiled contract: CKKS keys with exactly the plan's Galois steps.
 * @param compiled - from {@link compileContract}
 * @returns the client (dispose it)
 * @throws {ContractUnsupportedError} for non-CKKS plans
 * @example
 * ```ts
 * const client = await createContractClient(compiled)
 * const keys = await loadEvaluationKeys(client.evaluationKeyBundle(), { expectParams: compiled.plan.params })
 * ```
 */
export async function createContractClient(compiled: CompiledContract): Promise<ContractClient> {
  const { plan } = compiled
  if (plan.scheme !== 'ckks' || !plan.params) throw new ContractUnsupportedError({ shortMessage: `no client for ${plan.scheme} plans in this version`, details: "compile with { scheme: 'ckks' }" })
  const ckks = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
  return new ContractClient(compiled, ckks)
}
