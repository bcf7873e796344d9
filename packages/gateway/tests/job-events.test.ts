/**
 * `GET /v1/jobs/:id/events` (Server-Sent Events) and the SDK's `jobEvents` / `waitForJob` over it,
 * on SQLite and on PostgreSQL. On PostgreSQL the stream is read from a second gateway instance that
 * shares the store but runs none of the job: its events can only come from the store's
 * `LISTEN/NOTIFY` announcements. Real proofs, real anvil.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask } from '@krain/models'
import { closeProvers } from '@krain/zk'
import { KrainClient, readServerSentEvents, type JobEvent } from '@krain/client'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { openStore } from '../src/store/sql-store.js'
import type { ProvenInferenceJob } from '../src/store/types.js'
import { testGateway, wallet } from './helpers/app.js'
import { backends, pgUrl } from './helpers/stores.js'

const policy = {
  identities: {
    [wallet(70).address]: { roles: ['model_owner' as const] },
    [wallet(71).address]: { roles: ['agent' as const], models: ['*'] },
    [wallet(72).address]: { roles: ['agent' as const], models: ['*'] },
  },
  defaults: { roles: [] },
}
const order = ['queued', 'proving', 'proved', 'submitted', 'confirmed']
const urlOf = (app: FastifyInstance): string => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`

let chain: EmbeddedChain
beforeAll(async () => {
  chain = await startEmbeddedChain()
}, 60_000)
afterAll(async () => {
  await chain?.stop()
  await closeProvers()
})

describe.each(backends)('job events (SSE) on $name', (backend) => {
  let app: FastifyInstance
  let reader: FastifyInstance // where the client reads events: another instance on PostgreSQL
  let drop: () => Promise<void> = async () => undefined
  beforeAll(async () => {
    const opened = await backend.open()
    drop = opened.drop
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    app = await testGateway({ store: opened.store, chain: adapter, policy, config: { outboxIntervalMs: 50 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    if (backend.name === 'postgres') {
      const second = await openStore(pgUrl!, { schema: opened.schema! })
      reader = await testGateway({ store: second, chain: null, policy })
      await reader.listen({ host: '127.0.0.1', port: 0 })
    } else reader = app
  }, 60_000)
  afterAll(async () => {
    if (reader !== app) await reader?.close()
    await app?.close()
    await drop()
  })

  it('streams a proof job\'s states in order through to confirmed, and waitForJob follows the stream', async () => {
    const task = breastCancerTask()
    const owner = new KrainClient({ url: urlOf(app), account: wallet(70) })
    const model = await owner.registerModel({ name: 'breast_cancer', model: task.model })
    const agent = new KrainClient({ url: urlOf(app), account: wallet(71) })
    const far = new KrainClient({ url: urlOf(reader), account: wallet(71) })
    const job = await agent.prove({ modelId: model.id, input: task.test.x[2]! })
    const seen: JobEvent[] = []
    for await (const e of far.jobEvents(job.id)) seen.push(e)
    const states = seen.map((e) => e.state)
    expect(states.at(-1)).toBe('confirmed')
    // one event per change, in the order of the state machine
    expect(states.map((s) => order.indexOf(s))).toEqual([...new Set(states.map((s) => order.indexOf(s)))].sort((a, b) => a - b))
    expect(seen.every((e) => e.id === job.id && e.kind === 'proven-inference' && e.owner === wallet(71).address)).toBe(true)
    expect(seen.at(-1)!.result?.receipt?.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(seen.at(-1)!.result?.salt).toMatch(/^\d+$/) // the owner sees the salt
    expect(seen.at(-1)!.queue).toEqual({ name: 'embedded', state: null, attempts: null })
    // the job view says where it is queued
    expect((await far.job(job.id)).queue).toEqual({ name: 'embedded', state: null, attempts: null })

    // waitForJob on a second job, through the stream: every state it reports is in order
    const second = await agent.prove({ modelId: model.id, input: task.test.x[5]! })
    const progress: string[] = []
    const done = await far.waitForJob(second.id, { onProgress: (s) => progress.push(s) })
    expect(done.state).toBe('confirmed')
    expect(progress.at(-1)).toBe('confirmed')
    expect(progress.map((s) => order.indexOf(s))).toEqual([...progress.map((s) => order.indexOf(s))].sort((a, b) => a - b))
  }, 120_000)

  it('ends with failed for a job that fails, and is scoped like GET /v1/jobs/:id', async () => {
    const now = Date.now()
    const job: ProvenInferenceJob = { id: `j-missing-${backend.name}`, owner: wallet(71).address, kind: 'proven-inference', modelId: 'no-such-model', state: 'queued', input: { input: [1], salt: '1' }, result: null, error: null, txHash: null, createdAt: now, updatedAt: now }
    await app.store.createJob(job)
    const agent = new KrainClient({ url: urlOf(reader), account: wallet(71) })
    const events = agent.jobEvents(job.id)
    const first = await events.next()
    expect(first.value).toMatchObject({ id: job.id, state: 'queued' })
    await app.queue.enqueueProve(job.id) // the prover finds no model: failed
    const rest: JobEvent[] = []
    for await (const e of events) rest.push(e)
    // `proving` is seen unless the failure followed it before the stream read the job
    expect(['proving,failed', 'failed']).toContain(rest.map((e) => e.state).join())
    expect(rest.at(-1)!.error).toEqual({ code: 'MODEL_NOT_FOUND', message: 'model no-such-model not found' })

    // another agent: the same answer as GET /v1/jobs/:id (the policy denies), over both routes
    const other = new KrainClient({ url: urlOf(reader), account: wallet(72) })
    const get = await other.job(job.id).catch((e: unknown) => e)
    expect(get).toMatchObject({ httpStatus: 403, code: 'POLICY_DENIED' })
    await expect(other.jobEvents(job.id).next()).rejects.toMatchObject({ httpStatus: 403, code: 'POLICY_DENIED' })
    await expect(agent.jobEvents('j-nope').next()).rejects.toMatchObject({ httpStatus: 404, code: 'NOT_FOUND' })
    const anonymous = await fetch(`${urlOf(reader)}/v1/jobs/${job.id}/events`)
    expect(anonymous.status).toBe(401)
  }, 60_000)
})

describe('job events: the stream itself', () => {
  it('is text/event-stream with a comment first, and ends cleanly when the server shuts down', async () => {
    const app = await testGateway({ policy })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const now = Date.now()
    await app.store.createJob({ id: 'j-waiting', owner: wallet(71).address, kind: 'proven-inference', modelId: 'm', state: 'queued', input: { input: [1], salt: '1' }, result: null, error: null, txHash: null, createdAt: now, updatedAt: now })
    const agent = new KrainClient({ url: urlOf(app), account: wallet(71) })
    await agent.http.signIn()
    const res = await agent.http.openStream('GET', '/v1/jobs/j-waiting/events', { accept: 'text/event-stream' })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('cache-control')).toMatch(/no-cache/)
    const events = readServerSentEvents(res.body!)
    const first = await events.next()
    expect(first.value).toMatchObject({ event: 'job', id: '1' })
    expect(JSON.parse(first.value!.data)).toMatchObject({ id: 'j-waiting', state: 'queued', phase: null })
    // the job never finishes here: closing the server ends the stream (no hang, no error)
    const closed = app.close()
    expect(await events.next()).toEqual({ done: true, value: undefined })
    await closed
  }, 30_000)
})
