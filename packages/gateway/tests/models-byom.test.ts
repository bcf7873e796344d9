/**
 * Bring your own model through the gateway: an ONNX file of a shape no other test uses registers
 * and runs encrypted in agreement with onnxruntime; a 20-8-4 ReLU model gets a circuit generated
 * for it (a build job), proves, and verifies off-chain and on-chain (anvil); an unsupported ONNX
 * file is a typed 400 and nothing is stored.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { importOnnx, predictLabel } from '@krain/models'
import { closeProvers, verifyNetwork } from '@krain/zk'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { KrainClient } from '@krain/client'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { fixtureBytes, heldOutRows, makeModel, manifest, runOrt } from '../../models/tests/onnx-helpers.js'
import { syntheticNetwork, syntheticRows } from '../../zk/tests/fixtures/synthetic.js'

// The circuit cache the zk tests use for the same 20-8-4 model: a re-run reuses the built circuit.
process.env.KRAIN_CIRCUIT_CACHE ??= join(tmpdir(), 'krain-zk-test-circuits')

const argmax = (v: number[]): number => v.reduce((b, x, i) => (x > v[b]! ? i : b), 0)

describe('bring your own model', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await chain?.stop()
    await closeProvers()
  })

  it('registers a 13-feature, 3-class ONNX model (sklearn) and its encrypted labels agree with onnxruntime', async () => {
    const entry = manifest.find((e) => e.file === 'odd13x3_logreg_sklearn_op13.onnx')!
    const bytes = fixtureBytes(entry.file)
    const rows = heldOutRows(entry).slice(0, 24)
    const owner = new KrainClient({ url, account: wallet(40) })
    const info = await owner.registerModel({ name: 'odd13x3', onnx: bytes, calibration: rows })
    expect(info).toMatchObject({ inputs: 13, outputs: 3, source: 'onnx', head: 'argmax', parameters: 13 * 3 + 3 })
    expect(info.onnx?.producer).toMatch(/skl2onnx/)
    expect(info.he).toMatchObject({ encryptable: true })
    expect(info.proving?.provable).toBe(true)

    const ort = await runOrt(bytes, rows, [entry.label ?? 'label'])
    const ortLabels = ort[entry.label ?? 'label']!.map((r) => Number(r[0]))
    const agent = new KrainClient({ url, account: wallet(41) })
    const { scores } = await agent.inferEncrypted({ modelId: info.id, rows })
    const labels = scores.map(argmax)
    const classes = entry.classes ?? [0, 1, 2]
    expect(labels.map((l) => classes[l])).toEqual(ortLabels)
    // the same file imported locally: plaintext labels agree too
    const { model } = importOnnx(bytes)
    expect(rows.map((r) => classes[predictLabel(model, r)])).toEqual(ortLabels)
  }, 120_000)

  it('builds a circuit for a 20-8-4 ReLU model, proves, and verifies off-chain and on-chain', async () => {
    const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax', 11)
    const rows = syntheticRows(24, 20, 12)
    const owner = new KrainClient({ url, account: wallet(42) })
    const info = await owner.registerModel({ name: 'relu-20-8-4', model, calibration: rows, mode: 'committed' })
    expect(info.proving).toMatchObject({ provable: true, circuit: 'generated', mode: 'committed' })
    expect(info.proving!.constraints).toBeLessThanOrEqual(info.proving!.limit!)
    expect(info.layers).toEqual([
      { inputs: 20, outputs: 8, activation: 'relu' },
      { inputs: 8, outputs: 4, activation: 'identity' },
    ])
    const phases: string[] = []
    const built = await owner.waitForCircuit(info.id, { pollMs: 200, onProgress: (s) => phases.push(`${s.state}:${s.phase}`) })
    expect(built.error).toBeNull()
    expect(built.state).toBe('confirmed')
    expect(built.verifier).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(built.circuitId).toBe(info.proving!.circuitId)
    // the build is a job too
    const job = await owner.job(built.jobId)
    expect(job.state).toBe('confirmed')

    const agent = new KrainClient({ url, account: wallet(43) })
    const proving = await agent.prove({ modelId: info.id, input: rows[1]! })
    const done = await agent.waitForJob(proving.id)
    expect(done.error).toBeNull()
    expect(done.state).toBe('confirmed')
    const receipt = await agent.receipt(proving.id)
    expect(receipt.circuit).toBe(built.circuitId)
    expect(receipt.output).toBe(String(predictLabel(model, rows[1]!)))
    expect(receipt.publicSignals).toEqual([receipt.output, info.commitment, receipt.inputCommitment])
    expect(receipt.receipt.chainId).toBe(31337)
    // off-chain, with the circuit's public verification key
    expect(await verifyNetwork({ circuit: { vkey: built.vkey! }, proof: receipt.proof as never, publicSignals: receipt.publicSignals, expectedModelCommitment: BigInt(info.commitment!) })).toBe(true)
    const forged = [String((Number(receipt.output) + 1) % 4), receipt.publicSignals[1]!, receipt.publicSignals[2]!]
    expect(await verifyNetwork({ circuit: { vkey: built.vkey! }, proof: receipt.proof as never, publicSignals: forged })).toBe(false)
    // on-chain: the record exists, the model's own verifier accepts the proof
    const v = await agent.http.request<{ valid: boolean }>('POST', '/v1/verify', { body: { txHash: receipt.receipt.txHash, publicSignals: receipt.publicSignals } })
    expect(v.valid).toBe(true)
  }, 240_000)

  it('reports a model too large for every powers of tau here as not provable, and refuses it when proving is asked for', async () => {
    const token = await signInWith(app, wallet(45))
    const model = syntheticNetwork([64, 300, 10], 'relu', 'argmax', 5)
    // without calibration rows the quantisation has no input range: not provable, and it says so
    const bare = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'no-rows', model } })
    expect((bare.json() as { proving: { provable: boolean; reason: string } }).proving).toMatchObject({ provable: false, reason: expect.stringMatching(/calibration/) })
    const calibration = syntheticRows(16, 64, 3)
    const r = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'too-big', model, calibration } })
    expect(r.statusCode).toBe(201)
    const info = r.json() as { id: string; parameters: number; proving: { provable: boolean; constraints: number; limit: number; reason: string; buildJobId?: string } }
    expect(info.parameters).toBe(64 * 300 + 300 + 300 * 10 + 10)
    expect(info.proving.provable).toBe(false)
    expect(info.proving.constraints).toBeGreaterThan(info.proving.limit)
    expect(info.proving.reason).toMatch(/constraints.*krain zk ptau/)
    expect(info.proving.buildJobId).toBeUndefined()
    const before = (await app.store.listModels()).length
    const asked = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'too-big', model, calibration, mode: 'committed' } })
    expect(asked.statusCode).toBe(400)
    expect(asked.json()).toMatchObject({ code: 'MODEL_NOT_PROVABLE', details: `constraints ${info.proving.constraints}, limit ${info.proving.limit}` })
    expect((await app.store.listModels()).length).toBe(before)
    const prove = await app.inject({ method: 'POST', url: `/v1/models/${info.id}/prove`, headers: bearer(token), payload: { input: Array(64).fill(0) } })
    expect(prove.statusCode).toBe(400)
    expect((prove.json() as { code: string }).code).toBe('MODEL_NOT_PROVABLE')
  }, 60_000)

  it('refuses an unsupported ONNX file with the importer\'s typed error and stores nothing', async () => {
    const token = await signInWith(app, wallet(44))
    const before = (await app.store.listModels()).length
    const bytes = makeModel({
      nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['h'] }, { op: 'LeakyRelu', inputs: ['h'], outputs: ['y'], name: 'act_1' }],
      initializers: [{ name: 'w', dims: [3, 2], values: [1, 2, 3, 4, 5, 6] }, { name: 'b', dims: [2], values: [0.5, -0.5] }],
    })
    const r = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'leaky', onnx: Buffer.from(bytes).toString('base64') } })
    expect(r.statusCode).toBe(400)
    const body = r.json() as { code: string; message: string; details?: string }
    expect(body.code).toBe('MODEL_ONNX_UNSUPPORTED')
    expect(body.message).toMatch(/act_1.*LeakyRelu/)
    expect(body.details).toMatch(/Gemm/)
    const bin = await app.inject({ method: 'POST', url: '/v1/models/onnx?name=leaky', headers: { ...bearer(token), 'content-type': 'application/octet-stream' }, payload: Buffer.from(bytes) })
    expect(bin.statusCode).toBe(400)
    expect((bin.json() as { code: string }).code).toBe('MODEL_ONNX_UNSUPPORTED')
    const junk = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'junk', onnx: Buffer.from('not an onnx file at all').toString('base64') } })
    expect(junk.statusCode).toBe(400)
    expect((junk.json() as { code: string }).code).toMatch(/^MODEL_ONNX_/)
    expect((await app.store.listModels()).length).toBe(before)
    expect(await app.store.listJobs(['queued', 'proving', 'proved', 'confirmed', 'failed'])).not.toContainEqual(expect.objectContaining({ kind: 'circuit-build', owner: wallet(44).address }))
  })
})
