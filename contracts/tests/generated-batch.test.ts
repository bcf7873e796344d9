/**
 * Batch proofs of a generated circuit: 4 rows of a small ReLU/argmax network (4-3-3) (committed weights)
 * in one proof, from `buildCircuit({ quantized, batch: 4 })` (k = 16 is measured by `npm run bench -- registry-gas`;
 * a small k keeps this file's cold-cache circuit build short in CI) (cached under the OS temp dir like
 * the other generated-circuit tests), verified off-chain (ours and snarkjs) and recorded by
 * `InferenceRegistry.submitInferenceBatch` through the circuit's own verifier on a real anvil;
 * tampered proofs and signals are refused off- and on-chain, a replay reverts.
 */
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainError, createChainClient, deployContracts, getInference, registerModel, startAnvil, submitInference, submitInferenceBatch, verifyOnChainAndOffChain, type Anvil, type ChainClient } from '@krain/chain'
import {
  buildCircuit,
  closeProvers,
  commitBatch,
  commitNetwork,
  commitNetworkInput,
  estimateConstraints,
  networkBatchSignals,
  proveNetwork,
  proveNetworkBatch,
  quantizeNetwork,
  quantizeNetworkInput,
  randomSalt,
  verifyNetworkBatch,
  ZkMalformedProofError,
  ZkProvingError,
  type NetworkCircuit,
  type ProveNetworkBatchReturnType,
  type QuantizedNetwork,
} from '@krain/zk'
import { predictLabel } from '@krain/models'
import { syntheticNetwork, syntheticRows } from '../../packages/zk/tests/fixtures/synthetic.js'
import { calldataOf, withSignal } from './fixture.js'

const K = 4
const cacheDir = join(tmpdir(), 'krain-zk-test-circuits')
const model = syntheticNetwork([4, 3, 3], 'relu', 'argmax', 5)
const rows = syntheticRows(2 * K + 4, 4, 6)

let anvil: Anvil
let client: ChainClient
let registry: `0x${string}`
let q: QuantizedNetwork
let batch: NetworkCircuit
let single: NetworkCircuit
let proofs: ProveNetworkBatchReturnType[]
const salts = rows.map(() => randomSalt())

beforeAll(async () => {
  q = quantizeNetwork({ model, mode: 'committed', calibration: rows })
  single = await buildCircuit({ quantized: q, cacheDir })
  batch = await buildCircuit({ quantized: q, batch: K, cacheDir })
  proofs = []
  for (let j = 0; j < 2; j++) proofs.push(await proveNetworkBatch({ circuit: batch, quantized: q, inputs: rows.slice(j * K, (j + 1) * K), salts: salts.slice(j * K, (j + 1) * K) }))
  anvil = await startAnvil()
  client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
  registry = (await deployContracts({ client, circuits: [] })).registry
}, 300_000)

afterAll(async () => {
  await anvil?.stop()
  await closeProvers()
})

describe(`a ${K}-row batch circuit of a generated 4-3-3 ReLU model`, () => {
  it(`proves the float labels of ${K} rows in one proof and verifies off-chain (ours and snarkjs)`, async () => {
    const r = proofs[0]!
    expect(batch.spec.batch).toBe(K)
    expect(batch.id).toMatch(new RegExp(`^net-4-3r-3-argmax-.*-b${K}-[0-9a-f]{12}$`))
    expect(batch.manifest.publicSignals).toEqual(['packedOutputs', 'modelCommitment', 'batchCommitment'])
    expect(Math.abs(batch.constraints - estimateConstraints(batch.spec)) / batch.constraints).toBeLessThan(0.05)
    expect(r.outputs.map(Number)).toEqual(rows.slice(0, K).map((x) => predictLabel(model, x)))
    // every row's input commitment is the one a single proof of that row and salt exposes
    const ics = await Promise.all(rows.slice(0, K).map((x, i) => commitNetworkInput(q, quantizeNetworkInput(q, x), salts[i]!)))
    expect(r.inputCommitments).toEqual(ics)
    expect(r.publicSignals).toEqual([String(r.packedOutputs), String(await commitNetwork(q)), String(await commitBatch(ics))])
    const one = await proveNetwork({ circuit: single, quantized: q, input: rows[2]!, salt: salts[2]! })
    expect(BigInt(one.publicSignals[2])).toBe(ics[2])
    expect(one.output).toBe(r.outputs[2])
    expect(await verifyNetworkBatch({ circuit: batch, ...r, expectedOutputs: r.outputs, expectedModelCommitment: r.modelCommitment, expectedInputCommitments: ics })).toBe(true)
    expect(await snarkjs.groth16.verify(batch.vkey, r.publicSignals, r.proof)).toBe(true)
  }, 30_000)

  it('refuses tampered proofs and public signals off-chain, and a single circuit or wrong row count when proving', async () => {
    const r = proofs[0]!
    const s = r.publicSignals
    const flipped = [...r.outputs]
    flipped[3] = (flipped[3]! + 1n) % 3n
    expect(await verifyNetworkBatch({ circuit: batch, proof: r.proof, publicSignals: [String(BigInt(s[0]) ^ (1n << 24n)), s[1], s[2]] })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: batch, proof: r.proof, publicSignals: [s[0], String(BigInt(s[1]) + 1n), s[2]] })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: batch, proof: r.proof, publicSignals: [s[0], s[1], proofs[1]!.publicSignals[2]] })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: batch, proof: proofs[1]!.proof, publicSignals: s })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: batch, ...r, expectedOutputs: flipped })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: batch, ...r, expectedInputCommitments: [...r.inputCommitments].reverse() })).toBe(false)
    expect(await verifyNetworkBatch({ circuit: single, ...r })).toBe(false)
    await expect(verifyNetworkBatch({ circuit: batch, proof: { ...r.proof, pi_a: ['x', '1', '1'] } as never, publicSignals: s })).rejects.toThrow(ZkMalformedProofError)
    // no witness for a row that does not match its commitment, or for another model commitment
    const xs = rows.slice(0, K).map((x) => quantizeNetworkInput(q, x))
    const good = networkBatchSignals(q, xs, salts.slice(0, K), r.modelCommitment, r.batchCommitment)
    await snarkjs.wtns.calculate(good, batch.wasmPath, { type: 'mem' })
    const moved = xs.map((x) => [...x])
    moved[K - 1]![1] = moved[K - 1]![1]! + 1n
    await expect(snarkjs.wtns.calculate(networkBatchSignals(q, moved, salts.slice(0, K), r.modelCommitment, r.batchCommitment), batch.wasmPath, { type: 'mem' })).rejects.toThrow(/Assert Failed/)
    await expect(snarkjs.wtns.calculate({ ...good, modelCommitment: r.modelCommitment + 1n }, batch.wasmPath, { type: 'mem' })).rejects.toThrow(/Assert Failed/)
    await expect(proveNetworkBatch({ circuit: single, quantized: q, inputs: rows.slice(0, K), salts: salts.slice(0, K) })).rejects.toThrow(ZkProvingError)
    await expect(proveNetworkBatch({ circuit: batch, quantized: q, inputs: rows.slice(0, K - 1), salts: salts.slice(0, K - 1) })).rejects.toThrow(RangeError)
  }, 30_000)

  it('is recorded on-chain through its own batch verifier; tampered submissions and a replay revert with typed errors', async () => {
    const modelCommitment = proofs[0]!.modelCommitment
    const reg = await registerModel({ client, registry, modelCommitment, verifier: { solidity: readFileSync(single.verifierPath, 'utf8') }, batchVerifier: { solidity: readFileSync(batch.verifierPath, 'utf8') }, batchSize: K, metadataURI: `krain://circuits/${batch.id}` })
    expect(reg.batchVerifier).not.toBe(reg.verifier)
    const code = async (p: Promise<unknown>): Promise<string> => ((await p.then(() => null, (e: unknown) => e)) as ChainError | null)?.code ?? 'accepted'
    const cd = calldataOf(proofs[1]!)
    expect(await code(submitInferenceBatch({ client, registry, calldata: withSignal(cd, 0, cd.input[0] ^ 1n), size: K }))).toBe('CHAIN_INVALID_PROOF')
    expect(await code(submitInferenceBatch({ client, registry, calldata: withSignal(cd, 2, cd.input[2] + 1n), size: K }))).toBe('CHAIN_INVALID_PROOF')
    expect(await code(submitInferenceBatch({ client, registry, calldata: { ...cd, c: cd.a }, size: K }))).toBe('CHAIN_INVALID_PROOF')
    // a batch proof is not a single proof of the model
    expect(await code(submitInference({ client, registry, calldata: cd }))).toBe('CHAIN_INVALID_PROOF')
    const r = proofs[0]!
    const out = await submitInferenceBatch({ client, registry, proof: r.proof, publicSignals: r.publicSignals, size: K })
    expect(out.record).toMatchObject({ kind: 'batch', modelCommitment, batchCommitment: r.batchCommitment, packedOutputs: r.packedOutputs, size: K, outputs: r.outputs })
    expect(await getInference({ client, registry, id: out.id })).toEqual(out.record)
    // re-verified from the chain: the recorded calldata against the batch verifier and, off-chain, the circuit's key
    const v = await verifyOnChainAndOffChain({ client, registry, id: out.id, verificationKey: batch.vkey })
    expect(v).toMatchObject({ verifier: reg.batchVerifier, statementMatches: true, onChain: true, offChain: true, valid: true })
    expect(await code(submitInferenceBatch({ client, registry, proof: r.proof, publicSignals: r.publicSignals, size: K }))).toBe('CHAIN_PROOF_ALREADY_USED')
    expect((await submitInferenceBatch({ client, registry, calldata: cd, size: K })).record.outputs).toEqual(proofs[1]!.outputs)
  }, 60_000)
})
