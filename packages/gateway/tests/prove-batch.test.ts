/**
 * Batch proofs through the gateway (`POST /v1/models/:id/prove-batch`): a 5-feature logistic
 * regression with a generated circuit proves 3 rows in one proof; the job goes to `confirmed` on
 * anvil with the quantised model's labels, the proof verifies off-chain with snarkjs, one
 * `InferenceBatchRecorded` event is on chain and `verifyBatchReceipt` accepts it. Bad rows, a batch
 * above 31 rows, a batch circuit above the powers of tau here and a model without a generated
 * circuit are typed 400s with no job stored. The same batch proved again (as after a crash between
 * sending the transaction and storing it) and a redelivered job are not submitted twice.
 * One model proved in batches of 2, 3 and 2 rows gets one verifier per size on chain, each set
 * once, and every earlier receipt still verifies.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { parseEventLogs } from 'viem'
import { createChainClient, getBatchVerifier, getInference, inferenceRegistryAbi, type ChainClient } from '@krain/chain'
import { predictLabel, type Model } from '@krain/models'
import { closeProvers, evaluateQuantized, loadCircuit, quantizeNetworkInput, type QuantizedNetwork } from '@krain/zk'
import { KrainClient, verifyBatchReceipt } from '@krain/client'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { bigJson, prepareModel } from '../src/models/prepare-model.js'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { syntheticRows } from '../../zk/tests/fixtures/synthetic.js'
import { runKrain } from './helpers/krain-bin.js'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readRowsCsv } from '../src/cli/commands/models-batch.js'

// the circuit cache the zk tests use: a re-run reuses the built circuits
process.env.KRAIN_CIRCUIT_CACHE ??= join(tmpdir(), 'krain-zk-test-circuits')

// the root README's batch example (section 3b): its model, calibration rows and batch rows
const root = fileURLToPath(new URL('../../..', import.meta.url))
const examples = join(root, 'packages/gateway/examples/byom')
const csvRows = (file: string): number[][] => readRowsCsv(readFileSync(join(examples, file), 'utf8'))
const model = JSON.parse(readFileSync(join(examples, 'logit-5.json'), 'utf8')) as Model
const rows = csvRows('logit-5-calibration.csv')
const K = csvRows('logit-5-batch.csv').length

describe('POST /v1/models/:id/prove-batch', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let url: string
  let reader: ChainClient
  let modelId: string
  let commitment: string
  let q: QuantizedNetwork
  let owner: KrainClient
  let token: string

  const batchEvents = async (): Promise<number> => {
    const logs = await reader.publicClient.getLogs({ address: chain.registryAddress, fromBlock: 0n })
    return parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'InferenceBatchRecorded' }).filter((l) => l.args.modelCommitment === BigInt(commitment)).length
  }

  beforeAll(async () => {
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    reader = await createChainClient({ rpcUrl: chain.rpcUrl })
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    owner = new KrainClient({ url, account: wallet(60) })
    const info = await owner.registerModel({ name: 'logit-5', model, calibration: rows, mode: 'committed' })
    expect(info.proving).toMatchObject({ provable: true, circuit: 'generated' })
    modelId = info.id
    commitment = info.commitment!
    const built = await owner.waitForCircuit(modelId, { pollMs: 200 })
    expect(built.error).toBeNull()
    q = bigJson.parse<QuantizedNetwork>(JSON.stringify((await app.store.getModel(modelId))!.meta!.quantized))
    token = await signInWith(app, wallet(61))
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await chain?.stop()
    await closeProvers()
  })

  it(`proves ${K} rows in one proof, records them in one transaction, and the receipt verifies off- and on-chain`, async () => {
    const agent = new KrainClient({ url, account: wallet(61) })
    const inputs = [rows[16]!, rows[0]!, rows[4]!] // labels 1, 0, 1
    const queued = await agent.proveBatch({ modelId, inputs })
    expect(queued).toMatchObject({ state: 'queued', kind: 'proven-inference-batch', result: null, batch: { size: K } })
    // the job's event stream carries the batch phases (build, proving) along with the states
    const events: { state: string; phase: string | null; shown: string | undefined }[] = []
    for await (const e of agent.jobEvents(queued.id)) {
      events.push({ state: e.state, phase: e.phase, shown: e.batch?.phase })
      if (e.state === 'confirmed' || e.state === 'failed') break
    }
    const order = ['queued', 'proving', 'proved', 'submitted', 'confirmed']
    expect(events.length).toBeGreaterThan(0)
    expect(events.map((e) => order.indexOf(e.state))).toEqual(events.map((e) => order.indexOf(e.state)).sort((a, b) => a - b))
    for (const e of events) expect(['queued', 'generate', 'cached', 'compile', 'setup', 'export', 'done', 'proving', 'proved']).toContain(e.phase)
    for (const e of events) if (e.state === 'confirmed') expect(e.shown).toBe('confirmed')
    const job = await agent.waitForJob(queued.id)
    expect(job.error).toBeNull()
    expect(job.state).toBe('confirmed')
    const b = job.batch!
    // the quantised model's labels (and here the float model's too)
    const expected = inputs.map((x) => String(evaluateQuantized(q, quantizeNetworkInput(q, x)).output))
    expect(b.outputs).toEqual(expected)
    expect(inputs.map((x) => String(predictLabel(model, x)))).toEqual(expected)
    expect(new Set(expected).size).toBe(2)
    expect(b.publicSignals).toEqual([String(expected.reduce((a, o, r) => a + (BigInt(o) << BigInt(8 * r)), 0n)), commitment, b.batchCommitment])
    expect(b.inputCommitments).toHaveLength(K)
    expect(b.salts).toHaveLength(K)
    expect(b.circuit).toMatch(new RegExp(`-b${K}-[0-9a-f]{12}$`))
    expect(b.receipt).toMatchObject({ txHash: job.txHash, chainId: 31337, registry: chain.registryAddress })
    expect(Number(b.receipt!.gasUsed)).toBeGreaterThan(0)
    // off-chain with snarkjs and the batch circuit's verification key (public: GET /v1/models/:id/batch-circuit/:k, the same as the cache's)
    const circuit = loadCircuit({ id: b.circuit! })
    const published = await agent.batchCircuit(modelId, K)
    expect(published).toMatchObject({ circuitId: b.circuit, constraints: b.constraints, devOnly: true })
    expect(published.vkey).toEqual(circuit.vkey)
    expect((await app.inject({ method: 'GET', url: `/v1/models/${modelId}/batch-circuit/7`, headers: bearer(token) })).statusCode).toBe(404)
    expect(await snarkjs.groth16.verify(circuit.vkey, b.publicSignals!, b.proof as never)).toBe(true)
    const forged = [String(BigInt(b.publicSignals![0]!) ^ 1n), b.publicSignals![1]!, b.publicSignals![2]!]
    expect(await snarkjs.groth16.verify(circuit.vkey, forged, b.proof as never)).toBe(false)
    // on chain: one batch record of K rows, made by the job's transaction
    const rec = await getInference({ client: reader, registry: chain.registryAddress, id: b.recordId as `0x${string}` })
    expect(rec).toMatchObject({ kind: 'batch', size: K, modelCommitment: BigInt(commitment), batchCommitment: BigInt(b.batchCommitment!), transactionHash: job.txHash })
    expect(rec?.kind === 'batch' ? rec.outputs.map(String) : null).toEqual(expected)
    expect(await batchEvents()).toBe(1)
    // the single-inference receipt route names the batch's own receipt instead of a misleading 409
    const single = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/receipt`, headers: bearer(token) })
    expect(single.statusCode).toBe(409)
    expect(single.json()).toMatchObject({ code: 'JOB_IS_BATCH' })
    // POST /v1/verify checks a batch receipt given its size; another size, or none, names no record
    const verify = async (body: Record<string, unknown>) => (await app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(token), payload: { txHash: job.txHash, publicSignals: b.publicSignals, ...body } }))
    expect((await verify({ batchSize: K })).json()).toEqual({ valid: true })
    expect((await verify({ batchSize: K, publicSignals: [String(BigInt(b.publicSignals![0]!) ^ 1n), b.publicSignals![1], b.publicSignals![2]] })).json()).toEqual({ valid: false })
    expect((await verify({})).json()).toEqual({ valid: false })
    // no circuit of that size was built for the model: nothing to check it with
    expect((await verify({ batchSize: K + 20 })).statusCode).toBe(404)
    expect((await verify({ batchSize: 32 })).statusCode).toBe(400)
    const v = await verifyBatchReceipt({ job, rpcUrl: chain.rpcUrl, verificationKey: published.vkey, expectedModelCommitment: BigInt(commitment) })
    expect(v.reasons).toEqual([])
    expect(v).toMatchObject({ valid: true, offChain: true, onChain: true, recordedByReceiptTx: true, outputs: expected.map(Number) })
    const tampered = { ...job, batch: { ...b, outputs: [...b.outputs!].reverse().map((o, i) => (i === 0 ? String(1 - Number(o)) : o)) } }
    expect((await verifyBatchReceipt({ job: tampered, rpcUrl: chain.rpcUrl, verificationKey: circuit.vkey })).valid).toBe(false)

    // the same rows and salts proved again (as after a crash between sending the transaction and
    // storing its hash): the relay finds the record and does not submit again
    const again = await agent.proveBatch({ modelId, inputs, salts: b.salts!.map(BigInt) })
    const done = await agent.waitForJob(again.id)
    expect(done.state).toBe('confirmed')
    expect(done.txHash).toBe(job.txHash)
    expect(done.batch?.recordId).toBe(b.recordId)
    // a redelivered job (the queue delivers at least once) changes nothing
    await app.jobs.prove(job.id)
    await app.outbox.submitById(`submit:${job.id}`)
    expect((await app.store.getJob(job.id))?.state).toBe('confirmed')
    expect(await batchEvents()).toBe(1)
  }, 120_000)

  it('the same model proves a batch of 2, then of 3, then of 2 again: each size has its own verifier, set once, and every receipt stays valid', async () => {
    // a model of the same shape (its single and batch circuits come from the cache) with its own commitment
    const other: Model = { ...model, bias: (model as { bias: number }).bias + 0.125 } as Model
    const info = await owner.registerModel({ name: 'logit-5-sizes', model: other, calibration: rows, mode: 'committed' })
    expect((await owner.waitForCircuit(info.id, { pollMs: 200 })).error).toBeNull()
    const mc = BigInt(info.commitment!)
    const agent = new KrainClient({ url, account: wallet(61) })
    const prove = async (inputs: number[][]) => {
      const job = await agent.waitForJob((await agent.proveBatch({ modelId: info.id, inputs })).id)
      expect(job.error).toBeNull()
      expect(job).toMatchObject({ state: 'confirmed', batch: { size: inputs.length } })
      return job
    }
    const two = await prove([rows[1]!, rows[2]!])
    const three = await prove([rows[5]!, rows[6]!, rows[7]!])
    const twoAgain = await prove([rows[8]!, rows[9]!])
    expect(new Set([two.txHash, three.txHash, twoAgain.txHash]).size).toBe(3)
    for (const job of [two, three, twoAgain]) {
      const vkey = (await agent.batchCircuit(info.id, job.batch!.size)).vkey
      const v = await verifyBatchReceipt({ job, rpcUrl: chain.rpcUrl, verificationKey: vkey, expectedModelCommitment: mc })
      expect(v.reasons).toEqual([])
      expect(v).toMatchObject({ valid: true, offChain: true, onChain: true, recordedByReceiptTx: true })
    }
    // the registry holds one verifier per (model, size), each set once: by the registration or one BatchVerifierSet
    const logs = await reader.publicClient.getLogs({ address: chain.registryAddress, fromBlock: 0n })
    const sets = parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'BatchVerifierSet' }).filter((l) => l.args.modelCommitment === mc).map((l) => l.args.batchSize)
    const registered = parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'ModelRegistered' }).filter((l) => l.args.modelCommitment === mc && l.args.batchSize !== 0).map((l) => l.args.batchSize)
    expect([...sets, ...registered].sort()).toEqual([2, 3])
    const ofSize = (k: number) => getBatchVerifier({ client: reader, registry: chain.registryAddress, modelCommitment: mc, batchSize: k })
    expect(await ofSize(2)).not.toBeNull()
    expect(await ofSize(3)).not.toBeNull()
    expect(await ofSize(2)).not.toBe(await ofSize(3))
  }, 120_000)

  it('the README batch example runs as written: krain models register, then prove-batch --csv prints per-row labels, the transaction and its gas', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const start = readme.indexOf('### 3b. Batches')
    const section = readme.slice(start, readme.indexOf('\n### ', start + 10))
    const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.replace(/\\\n\s*/g, '').split('\n')).filter((l) => l.startsWith('npx krain '))
    expect(lines.map((l) => l.split(' ').slice(2, 4).join(' '))).toEqual(['models register', 'models prove-batch'])
    const key = `0x${(0xa11ce000n + 63n).toString(16).padStart(64, '0')}`
    const krain = (line: string, vars: Record<string, string> = {}) => {
      let l = line.replace(/\s+#.*$/, '')
      for (const [k, v] of Object.entries(vars)) l = l.replaceAll(k, v)
      return runKrain([...l.split(/\s+/).slice(2), '--url', url], { cwd: root, env: { KRAIN_KEY: key, KRAIN_CIRCUIT_CACHE: process.env.KRAIN_CIRCUIT_CACHE } })
    }
    const reg = await krain(lines[0]!)
    expect(reg.code).toBe(0)
    const id = (JSON.parse(reg.stdout) as { id: string; commitment: string }).id
    const r = await krain(lines[1]!, { '<model-id>': id })
    // the progress line names the job; how many states it shows depends on how fast the proof is
    expect(r.stderr).toMatch(/batch of 3 \(job [0-9a-f-]{36}\)/)
    expect(r.stderr).toMatch(/confirmed in block \d+ \(tx 0x[0-9a-f]{64}, \d+ gas, \d+ per row\)/)
    expect(r.code).toBe(0)
    const printed = JSON.parse(r.stdout) as { labels: number[]; rows: number; txHash: string; gasUsed: string; gasPerRow: number; recordId: string }
    const inputs = csvRows('logit-5-batch.csv')
    expect(printed.rows).toBe(K)
    expect(printed.labels).toEqual(inputs.map((x) => Number(evaluateQuantized(q, quantizeNetworkInput(q, x)).output)))
    expect(section).toContain(`"labels": [${printed.labels.join(', ')}]`)
    expect(printed.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(printed.gasPerRow).toBe(Math.round(Number(printed.gasUsed) / K))
    const rec = await getInference({ client: reader, registry: chain.registryAddress, id: printed.recordId as `0x${string}` })
    expect(rec).toMatchObject({ kind: 'batch', size: K, transactionHash: printed.txHash })
    // usage and input mistakes are typed, and nothing is sent
    const dir = mkdtempSync(join(tmpdir(), 'krain-prove-batch-'))
    const csv = join(dir, 'rows.csv')
    const both = await runKrain(['models', 'prove-batch', id, '--csv', csv, '--json', '[[1,2,3,4,5]]', '--url', url], { env: { KRAIN_KEY: key } })
    expect(both.code).toBe(1)
    expect(both.stderr).toMatch(/CLI_USAGE/)
    writeFileSync(csv, '1,2,3,4,5\n1,2,x,4,5\n')
    const junk = await runKrain(['models', 'prove-batch', id, '--csv', csv, '--url', url], { env: { KRAIN_KEY: key } })
    expect(junk.stderr).toMatch(/CLI_INPUT.*line 2, column 3/)
  }, 90_000)

  it('refuses bad rows, too many rows, a circuit above the powers of tau and a model without a generated circuit, storing nothing', async () => {
    const jobsBefore = (await app.store.listJobsOf(null, 500)).length
    const post = (id: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/v1/models/${id}/prove-batch`, headers: bearer(token), payload })
    const short = await post(modelId, { inputs: [rows[0], rows[1]!.slice(0, 4)] })
    expect(short.statusCode).toBe(400)
    expect(short.json()).toMatchObject({ code: 'BATCH_ROW_INVALID', message: expect.stringMatching(/"inputs\[1\]" expected 5 features/) })
    const far = await post(modelId, { inputs: [rows[0], rows[1], [0, 0, 1e6, 0, 0]] })
    expect(far.statusCode).toBe(400)
    expect(far.json()).toMatchObject({ code: 'BATCH_ROW_INVALID', message: expect.stringMatching(/"inputs\[2\]\[2\]"/) })
    const big = await post(modelId, { inputs: syntheticRows(32, 5, 4) })
    expect(big.statusCode).toBe(400)
    expect(big.json()).toMatchObject({ code: 'BATCH_TOO_LARGE', details: 'limit 31' })
    const salts = await post(modelId, { inputs: rows.slice(0, 2), salts: ['1'] })
    expect(salts.json()).toMatchObject({ code: 'INVALID_ARGUMENT' })
    // a model with a shipped circuit (no quantisation for a generated one)
    const shipped = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'shipped', model: { kind: 'logistic', weights: Array(30).fill(0.1), bias: 0 } } })
    expect(shipped.statusCode).toBe(201)
    const s = await post((shipped.json() as { id: string }).id, { inputs: [Array(30).fill(0)] })
    expect(s.statusCode).toBe(400)
    expect(s.json()).toMatchObject({ code: 'MODEL_NOT_BATCH_PROVABLE' })
    // a wide model whose 31-row batch circuit exceeds the powers of tau here (stored as registration would, without its single build)
    const wide: Model = { kind: 'logistic', weights: Array.from({ length: 1000 }, (_, i) => Math.sin(i + 1)), bias: 0 }
    const prepared = await prepareModel({ model: wide, calibration: syntheticRows(8, 1000, 5), mode: 'committed' })
    await app.store.putModel({ id: 'wide-1000', owner: wallet(61).address, name: 'wide', kind: 'logistic', spec: prepared.model, commitment: prepared.commitment, createdAt: Date.now(), meta: prepared.meta })
    const tooBig = await post('wide-1000', { inputs: syntheticRows(31, 1000, 6) })
    expect(tooBig.statusCode).toBe(400)
    const body = tooBig.json() as { code: string; details: string }
    expect(body.code).toBe('BATCH_CIRCUIT_TOO_LARGE')
    const [, estimate, limit] = /^constraints (\d+), limit (\d+)$/.exec(body.details)!.map(Number)
    expect(estimate).toBeGreaterThan(limit!)
    expect((await app.store.listJobsOf(null, 500)).length).toBe(jobsBefore)
  }, 60_000)
})
