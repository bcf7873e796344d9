/**
 * Batch proofs on a cluster (`KRAIN_JOBS=external`): the gateway only enqueues, a `krain worker`
 * process takes the `proven-inference-batch` job from the pg-boss `prove` queue and is SIGKILLed as
 * soon as it starts it; a second worker finishes it. The job reaches `confirmed` with the quantised
 * model's labels and the registry holds exactly one batch record (its events counted on the chain).
 * Real PostgreSQL, real processes; skipped with a message without KRAIN_TEST_DATABASE_URL
 * (`source .ci/postgres.sh`). The model's circuits are built here first (the circuit cache is shared
 * with the children), so the worker's delivery only proves.
 */
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, http, parseEventLogs } from 'viem'
import { inferenceRegistryAbi } from '@krain/chain'
import { toNetwork, type Model } from '@krain/models'
import { buildCircuit, closeProvers, evaluateQuantized, quantizeNetwork, quantizeNetworkInput } from '@krain/zk'
import { KrainClient } from '@krain/client'
import { readRowsCsv } from '../src/cli/commands/models-batch.js'
import { wallet } from './helpers/app.js'
import { startCluster, type Cluster } from './helpers/cluster.js'
import { pgUrl } from './helpers/stores.js'

if (!pgUrl) console.warn('[prove-batch-cluster] KRAIN_TEST_DATABASE_URL is not set: the batch cluster test is SKIPPED (run `source .ci/postgres.sh`)')

// the circuit cache of the zk tests, shared with the child processes
process.env.KRAIN_CIRCUIT_CACHE ??= join(tmpdir(), 'krain-zk-test-circuits')

const examples = fileURLToPath(new URL('../examples/byom/', import.meta.url))
const csvRows = (file: string): number[][] => readRowsCsv(readFileSync(join(examples, file), 'utf8'))
const model = JSON.parse(readFileSync(join(examples, 'logit-5.json'), 'utf8')) as Model
const rows = csvRows('logit-5-calibration.csv')
const K = 3
/** The killed worker's delivery expires and is retried within the test; the circuits are prebuilt, so a delivery only proves. */
const queueEnv = { KRAIN_PROVE_TIMEOUT: '12', KRAIN_QUEUE_MAINTENANCE: '1' }

describe.skipIf(!pgUrl)('batch proofs on a cluster (pg-boss, external workers)', () => {
  let cluster: Cluster
  const q = quantizeNetwork({ model: toNetwork(model), mode: 'committed', calibration: rows })
  beforeAll(async () => {
    await buildCircuit({ quantized: q })
    await buildCircuit({ quantized: q, batch: K })
    cluster = await startCluster({ gateways: 1, workers: 1, gatewayEnv: queueEnv, workerEnv: queueEnv })
  }, 180_000)
  afterAll(async () => {
    await cluster?.stop()
    await closeProvers()
  })

  it('confirms a batch exactly once on-chain when its worker is killed as it starts proving', async () => {
    const g = cluster.gateways[0]!
    const owner = new KrainClient({ url: g.url, account: wallet(70) })
    const info = await owner.registerModel({ name: 'logit-5', model, calibration: rows, mode: 'committed' })
    const built = await owner.waitForCircuit(info.id, { pollMs: 200 })
    expect(built.error).toBeNull()
    const agent = new KrainClient({ url: g.url, account: wallet(71) })
    const inputs = [rows[16]!, rows[5]!, rows[17]!]
    const job = await agent.proveBatch({ modelId: info.id, inputs })

    // kill -9 the worker as soon as it starts this job's delivery
    const victim = cluster.workers[0]!
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (victim.stderr().split('\n').some((l) => l.includes('"proof job started"') && l.includes(job.id))) {
          victim.child.stderr!.off('data', check)
          resolve()
        }
      }
      victim.child.stderr!.on('data', check)
      victim.child.once('exit', () => reject(new Error(`worker exited early: ${victim.stderr().slice(-2000)}`)))
      check()
    })
    await victim.kill()
    await cluster.startWorker()

    const done = await agent.waitForJob(job.id, { timeoutMs: 120_000 })
    expect(done.error).toBeNull()
    expect(done.state).toBe('confirmed')
    expect(done.batch?.outputs).toEqual(inputs.map((x) => String(evaluateQuantized(q, quantizeNetworkInput(q, x)).output)))
    expect(Number(done.batch?.receipt?.gasUsed)).toBeGreaterThan(0)
    // exactly one batch record of this model on chain
    const client = createPublicClient({ transport: http(cluster.chain.rpcUrl) })
    const logs = await client.getLogs({ address: cluster.chain.registryAddress, fromBlock: 0n })
    const records = parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'InferenceBatchRecorded' }).filter((l) => l.args.modelCommitment === BigInt(info.commitment!))
    expect(records).toHaveLength(1)
    expect(records[0]!.transactionHash).toBe(done.txHash)
    expect(records[0]!.args.size).toBe(K)
  }, 150_000)
})
