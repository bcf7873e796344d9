/**
 * The prover's caches never serve a circuit other than the one asked for: a worker keys a parsed
 * zkey and a compiled witness calculator by the files' identities, so files rewritten in place
 * (another circuit, a new setup) are read again; the standalone prover refuses bytes that are not
 * a BN254 Groth16 zkey and a witness of another circuit; its proofs verify with bare snarkjs.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { afterAll, describe, expect, it } from 'vitest'
import { breastCancerTask } from '@krain/models'
import { circuitArtifacts, closeProvers, commitBatch, commitInput, commitModel, quantizeModel, type QuantizedLogisticModel } from '../src/index.js'
import { batchInput, singleInput } from '../src/prove/circuit-input.js'
import { loadCircuit, loadProvingKey, proveCircuit, proveWithKey, terminateCurve, witnessBytes } from '../src/prove/groth16-prover.js'
import { runProveJob } from '../src/prove/prover-pool.js'
import { quantizeInput } from '../src/quantize/quantize-input.js'

const dir = mkdtempSync(join(tmpdir(), 'krain-prover-cache-'))
const bc = breastCancerTask()
const q = quantizeModel(bc.model) as QuantizedLogisticModel
const salts = Array.from({ length: 8 }, (_, i) => 500n + BigInt(i))
const rows = bc.test.x.slice(0, 8).map((r) => quantizeInput(q, r))

async function logisticSignals(): Promise<Record<string, unknown>> {
  return singleInput(q, rows[0]!, salts[0]!, await commitModel(q), await commitInput({ model: q, input: rows[0]!, salt: salts[0]! }))
}
async function batchSignals(): Promise<Record<string, unknown>> {
  const ics = await Promise.all(rows.map((x, i) => commitInput({ model: q, input: x, salt: salts[i]! })))
  return batchInput(q, rows, salts, await commitModel(q), await commitBatch(ics))
}

afterAll(async () => {
  await closeProvers()
  await terminateCurve()
  rmSync(dir, { recursive: true, force: true })
})

describe('prover worker cache', () => {
  it('reads a zkey and wasm rewritten in place again instead of serving the old circuit', async () => {
    const wasm = join(dir, 'c.wasm')
    const zkey = join(dir, 'c.zkey')
    const single = circuitArtifacts('inference_logistic')
    const batch = circuitArtifacts('inference_logistic_batch8')
    copyFileSync(single.wasmPath, wasm)
    copyFileSync(single.zkeyPath, zkey)
    const a = await runProveJob({ wasm, zkey, input: await logisticSignals() })
    expect(await snarkjs.groth16.verify(single.vkey, a.publicSignals, a.proof)).toBe(true)
    // same paths, another circuit: the batch input is refused by the old calculator, accepted by the new one
    copyFileSync(batch.wasmPath, wasm)
    copyFileSync(batch.zkeyPath, zkey)
    const b = await runProveJob({ wasm, zkey, input: await batchSignals() })
    expect(b.publicSignals).toHaveLength(3)
    expect(await snarkjs.groth16.verify(batch.vkey, b.publicSignals, b.proof)).toBe(true)
    expect(await snarkjs.groth16.verify(single.vkey, b.publicSignals, b.proof)).toBe(false)
  }, 120_000)

  it('starts a new worker after closeProvers and proves again', async () => {
    const art = circuitArtifacts('inference_logistic')
    await closeProvers()
    const r = await runProveJob({ wasm: art.wasmPath, zkey: art.zkeyPath, input: await logisticSignals() })
    expect(await snarkjs.groth16.verify(art.vkey, r.publicSignals, r.proof)).toBe(true)
  }, 60_000)
})

describe('groth16-prover (main thread)', () => {
  it('proves like snarkjs: the proof verifies with snarkjs and carries the same public signals', async () => {
    const art = circuitArtifacts('inference_logistic')
    const circuit = await loadCircuit(new Uint8Array(readFileSync(art.wasmPath)), new Uint8Array(readFileSync(art.zkeyPath)))
    const input = await logisticSignals()
    const [ours, theirs] = await Promise.all([proveCircuit(circuit, input), snarkjs.groth16.fullProve(input as never, art.wasmPath, art.zkeyPath)])
    expect(ours.publicSignals).toEqual(theirs.publicSignals)
    expect(await snarkjs.groth16.verify(art.vkey, ours.publicSignals, ours.proof)).toBe(true)
    // two concurrent proofs on one calculator each get their own witness
    const other = { ...input, salt: 12345n, inputCommitment: await commitInput({ model: q, input: rows[0]!, salt: 12345n }) }
    const [p1, p2] = await Promise.all([proveCircuit(circuit, input), proveCircuit(circuit, other)])
    expect(p1.publicSignals).toEqual(theirs.publicSignals)
    expect(p2.publicSignals[2]).toBe(String(other.inputCommitment))
    expect(await snarkjs.groth16.verify(art.vkey, p2.publicSignals, p2.proof)).toBe(true)
  }, 60_000)

  it('refuses bytes that are not a zkey, a truncated zkey, and a witness of another circuit', async () => {
    const single = circuitArtifacts('inference_logistic')
    const batch = circuitArtifacts('inference_logistic_batch8')
    const zkey = new Uint8Array(readFileSync(single.zkeyPath))
    await expect(loadProvingKey(new Uint8Array(readFileSync(single.wasmPath)))).rejects.toThrow(/not a zkey file/)
    await expect(loadProvingKey(zkey.subarray(0, zkey.length - 100))).rejects.toThrow(/truncated/)
    const pk = await loadProvingKey(zkey)
    const batchCircuit = await loadCircuit(new Uint8Array(readFileSync(batch.wasmPath)), new Uint8Array(readFileSync(batch.zkeyPath)))
    const wtns = await witnessBytes(batchCircuit, await batchSignals())
    await expect(proveWithKey(pk, wtns)).rejects.toThrow(/Invalid witness length/)
  }, 60_000)
})
