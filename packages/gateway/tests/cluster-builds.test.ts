/**
 * Circuit builds on a cluster (issue 14): a `KRAIN_JOBS=external` gateway enqueues the build of a
 * registered model on `krain.build`; two `krain worker --queues prove,chain,build` processes share
 * the queue and a fresh circuit cache. The worker that takes the build is SIGKILLed while it
 * compiles; pg-boss redelivers the build once it expires, the other worker builds it, and the
 * verifier is deployed and the model registered exactly once (one `ModelRegistered` on the chain).
 * The gateway shows the build's phases (written to the stored job by the worker) through its event
 * stream, serves the verification key from the shared cache, and a proof of the model then runs on
 * a worker that loads the circuit from that cache. Real PostgreSQL, processes and anvil; skipped
 * without KRAIN_TEST_DATABASE_URL (`source .ci/postgres.sh`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, http, parseEventLogs } from 'viem'
import { inferenceRegistryAbi } from '@krain/chain'
import { KrainClient, type JobEvent } from '@krain/client'
import { wallet } from './helpers/app.js'
import { logLines, startCluster, type Cluster } from './helpers/cluster.js'
import { pgUrl } from './helpers/stores.js'
import { syntheticNetwork, syntheticRows } from '../../zk/tests/fixtures/synthetic.js'

if (!pgUrl) console.warn('[cluster-builds] KRAIN_TEST_DATABASE_URL is not set: the cluster build test is SKIPPED (run `source .ci/postgres.sh`)')

type Line = { msg?: string; job?: string; attempt?: number }
const lines = (stderr: string): Line[] => logLines<Line>(stderr)

describe.skipIf(!pgUrl)('circuit builds on a cluster (krain.build, two workers)', () => {
  let cluster: Cluster
  const cache = mkdtempSync(join(tmpdir(), 'krain-cluster-circuits-'))
  beforeAll(async () => {
    // a build delivery expires (and is redelivered) 10 s after its worker died
    const env = { KRAIN_PROVE_TIMEOUT: '10', KRAIN_QUEUE_MAINTENANCE: '1', KRAIN_CIRCUIT_CACHE: cache }
    cluster = await startCluster({ gateways: 1, workers: 2, queues: ['prove', 'chain', 'build'], gatewayEnv: env, workerEnv: env })
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
    rmSync(cache, { recursive: true, force: true })
  })

  it('rebuilds on the other worker after the first is killed mid-build, registers the verifier once, then proves', async () => {
    const gw = cluster.gateways[0]!
    const owner = new KrainClient({ url: gw.url, account: wallet(80) })
    const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax', 23)
    const rows = syntheticRows(16, 20, 29)
    const info = await owner.registerModel({ name: 'relu-cluster', model, calibration: rows, mode: 'committed' })
    expect(info.proving).toMatchObject({ provable: true, circuit: 'generated' })

    // the worker that takes the build is killed as soon as it says it started
    const victim = await new Promise<Cluster['workers'][number]>((resolve) => {
      const check = (): void => {
        const w = cluster.workers.find((x) => lines(x.stderr()).some((l) => l.msg === 'circuit build started'))
        if (!w) return
        for (const x of cluster.workers) x.child.stderr!.off('data', check)
        resolve(w)
      }
      for (const x of cluster.workers) x.child.stderr!.on('data', check)
      check()
    })
    await victim.kill()
    const survivor = cluster.workers.find((w) => w !== victim)!
    expect(lines(victim.stderr()).some((l) => l.msg === 'circuit build finished')).toBe(false)
    const midway = await owner.circuit(info.id)
    expect(['queued', 'proving']).toContain(midway.state)

    // the gateway streams the build's phases as the surviving worker records them
    const events: JobEvent[] = []
    for await (const e of owner.jobEvents(midway.jobId)) events.push(e)
    expect(events.at(-1)).toMatchObject({ kind: 'circuit-build', state: 'confirmed', error: null })
    expect(events.map((e) => e.phase)).toContain('setup')
    expect(events.map((e) => e.state)).toEqual(expect.arrayContaining(['proving', 'proved', 'confirmed']))
    // the second delivery did it (pg-boss marks it completed just after the handler returns)
    expect(events.at(-1)!.queue).toMatchObject({ name: 'krain.build', state: expect.stringMatching(/^(active|completed)$/) })
    expect(events.at(-1)!.queue!.attempts).toBeGreaterThanOrEqual(2)
    const starts = lines(survivor.stderr()).filter((l) => l.msg === 'circuit build started')
    expect(starts.length).toBeGreaterThanOrEqual(1)
    expect(lines(survivor.stderr()).some((l) => l.msg === 'circuit build finished')).toBe(true)

    // the gateway serves the build from the shared cache: its verification key, its verifier
    const built = await owner.circuit(info.id)
    expect(built).toMatchObject({ state: 'confirmed', circuitId: info.proving!.circuitId, error: null })
    expect(built.verifier).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(built.vkey).toMatchObject({ protocol: 'groth16' })

    // registered exactly once on the chain
    const client = createPublicClient({ transport: http(cluster.chain.rpcUrl) })
    const logs = await client.getLogs({ address: cluster.chain.registryAddress, fromBlock: 0n, toBlock: 'latest' })
    const registered = parseEventLogs({ abi: inferenceRegistryAbi, logs, eventName: 'ModelRegistered' }).filter((e) => String(e.args.modelCommitment) === info.commitment)
    expect(registered).toHaveLength(1)
    expect(registered[0]!.args.verifier.toLowerCase()).toBe(built.verifier!.toLowerCase())

    // a proof of the model, on the surviving worker, from the cached circuit
    const agent = new KrainClient({ url: gw.url, account: wallet(81) })
    const job = await agent.prove({ modelId: info.id, input: rows[3]! })
    const done = await agent.waitForJob(job.id, { timeoutMs: 120_000 })
    expect(done.error).toBeNull()
    expect(done.state).toBe('confirmed')
    expect((await agent.receipt(job.id)).circuit).toBe(built.circuitId)
  }, 180_000)
})
