/**
 * Proof jobs on a cluster (issue 14, items 1, 2 and 5): two gateways that only enqueue
 * (`KRAIN_JOBS=external`), two `krain worker` processes working the pg-boss queues, one PostgreSQL
 * schema, one anvil. 50 proof jobs of the shipped logistic circuit are spread over both gateways;
 * one worker is SIGKILLed while it proves. Every job still reaches `confirmed`, and the registry
 * holds exactly one record per job (its events counted on the chain). Real PostgreSQL, real
 * processes; skipped with a message without KRAIN_TEST_DATABASE_URL (`source .ci/postgres.sh`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, http, parseEventLogs } from 'viem'
import { breastCancerTask } from '@krain/models'
import { inferenceRegistryAbi } from '@krain/chain'
import { KrainClient } from '@krain/client'
import { wallet } from './helpers/app.js'
import { logLines, startCluster, type Cluster } from './helpers/cluster.js'
import { pgUrl } from './helpers/stores.js'

if (!pgUrl) console.warn('[cluster-jobs] KRAIN_TEST_DATABASE_URL is not set: the cluster job tests are SKIPPED (run `source .ci/postgres.sh`)')

const JOBS = Number(process.env.KRAIN_CLUSTER_JOBS ?? 50)
/** Short enough that the killed worker's job is retried within the test, long enough for a proof on a busy machine. */
// short timeouts: a job held by the killed worker (its proof, or a chain submission it had taken) comes back within the test
const queueEnv = { KRAIN_PROVE_TIMEOUT: '20', KRAIN_CHAIN_TIMEOUT: '20', KRAIN_QUEUE_MAINTENANCE: '1' }

type Line = { msg?: string; job?: string }
const lines = (stderr: string): Line[] => logLines<Line>(stderr)

describe.skipIf(!pgUrl)('proof jobs on a cluster (pg-boss, two workers)', () => {
  let cluster: Cluster
  beforeAll(async () => {
    cluster = await startCluster({ gateways: 2, workers: 2, gatewayEnv: queueEnv, workerEnv: queueEnv })
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it(`confirms ${JOBS} proofs exactly once on-chain while a worker is killed mid-proof`, async () => {
    const task = breastCancerTask()
    const [g1, g2] = cluster.gateways as [Cluster['gateways'][number], Cluster['gateways'][number]]
    const owner = new KrainClient({ url: g1.url, account: wallet(60) })
    const model = await owner.registerModel({ name: 'breast_cancer', model: task.model })
    const agents = [new KrainClient({ url: g1.url, account: wallet(61) }), new KrainClient({ url: g2.url, account: wallet(62) })]
    const inputs = Array.from({ length: JOBS }, (_, i) => task.test.x[i % task.test.x.length]!)
    const jobs = await Promise.all(inputs.map((input, i) => agents[i % 2]!.prove({ modelId: model.id, input })))
    expect(new Set(jobs.map((j) => j.id)).size).toBe(JOBS)

    // kill -9 the first worker while a proof of its own is running (started, not finished)
    const victim = cluster.workers[0]!
    const midProof = await new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const ls = lines(victim.stderr())
        const started = ls.filter((l) => l.msg === 'proof job started').map((l) => l.job!)
        const finished = new Set(ls.filter((l) => l.msg === 'proof job finished').map((l) => l.job!))
        const running = started.filter((j) => !finished.has(j))
        if (started.length >= 2 && running.length > 0) {
          victim.child.stderr!.off('data', check)
          resolve(running[running.length - 1]!)
        }
      }
      victim.child.stderr!.on('data', check)
      victim.child.once('exit', () => reject(new Error(`worker exited early: ${victim.stderr().slice(-2000)}`)))
      check()
    })
    await victim.kill()

    // every job confirmed, whichever gateway is asked
    const done = await Promise.all(jobs.map((j, i) => agents[(i + 1) % 2]!.waitForJob(j.id, { timeoutMs: 240_000 })))
    for (const d of done) {
      expect(d.error).toBeNull()
      expect(d.state).toBe('confirmed')
    }

    // the killed worker's job went through pg-boss again: its attempts are visible
    const owner2 = agents[jobs.findIndex((j) => j.id === midProof) % 2]!
    const queueState = await owner2.http.request<{ state: string; attempts: number }>('GET', `/v1/queues/jobs/${midProof}`)
    expect(queueState.state).toBe('completed')
    expect(queueState.attempts).toBeGreaterThanOrEqual(2)
    const stats = await agents[0]!.http.request<{ kind: string; working: boolean; queues: Record<string, Record<string, number>> }>('GET', '/v1/queues')
    expect(stats).toMatchObject({ kind: 'pg-boss', working: false })
    expect(stats.queues.prove!.completed).toBe(JOBS)
    expect(stats.queues.dead!.created + stats.queues.dead!.completed).toBe(0)

    // on the chain: exactly one InferenceRecorded per job, in the transaction its receipt names
    const client = createPublicClient({ transport: http(cluster.chain.rpcUrl) })
    const logs = await client.getLogs({ address: cluster.chain.registryAddress, fromBlock: 0n, toBlock: 'latest' })
    const recorded = parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'InferenceRecorded' })
    expect(recorded).toHaveLength(JOBS)
    const byTx = new Map(recorded.map((r) => [r.transactionHash.toLowerCase(), r]))
    const receipts = await Promise.all(jobs.map((j, i) => agents[i % 2]!.receipt(j.id)))
    for (const r of receipts) {
      const ev = byTx.get(r.receipt.txHash.toLowerCase())
      expect(ev, `the record of ${r.jobId}`).toBeDefined()
      expect(String(ev!.args.inputCommitment)).toBe(r.inputCommitment)
    }
    expect(new Set(receipts.map((r) => r.receipt.txHash)).size).toBe(JOBS)

    // the surviving worker stops cleanly on SIGTERM
    expect(await cluster.workers[1]!.terminate()).toBe(0)
    expect(cluster.workers[1]!.stderr()).toContain('krain worker stopped')
  }, 300_000)
})
