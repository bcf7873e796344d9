import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask, predictLabel } from '@krain/models'
import { privateKeyToAccount } from 'viem/accounts'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { KrainClient, verifyReceipt } from '@krain/client'
import { waitUntil } from '../src/jobs/wait-until.js'
import { testGateway, wallet } from './helpers/app.js'
import { startRpcProxy, type RpcProxy } from './helpers/rpc-proxy.js'

describe('proven inference confirmed on anvil', () => {
  let chain: EmbeddedChain
  let proxy: RpcProxy
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    chain = await startEmbeddedChain()
    proxy = await startRpcProxy(chain.rpcUrl)
    // the gateway reaches the chain through a proxy the test can cut (a real outage)
    const adapter = await connectChainAdapter({ rpcUrl: proxy.url, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app?.close()
    await proxy?.close()
    await chain?.stop()
  })

  it('proves, records on-chain, and a third party re-verifies the receipt; a chain outage loses nothing', async () => {
    const task = breastCancerTask()
    const owner = new KrainClient({ url, account: wallet(30) })
    const model = await owner.registerModel({ name: 'breast_cancer', model: task.model })
    expect(model.commitment).toMatch(/^\d+$/)

    const agent = new KrainClient({ url, account: wallet(31) })
    const input = task.test.x[3]!
    const job = await agent.prove({ modelId: model.id, input })
    expect(job.state).toBe('queued')
    const states: string[] = []
    const done = await agent.waitForJob(job.id, { onProgress: (s) => states.push(s) })
    expect(done.error).toBeNull()
    expect(done.state).toBe('confirmed')
    const receipt = await agent.receipt(job.id)
    expect(receipt.output).toBe(String(predictLabel(task.model, input)))
    expect(receipt.publicSignals).toEqual([receipt.output, model.commitment, receipt.inputCommitment])
    expect(receipt.receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/)

    // a third party: no gateway involved, only the receipt and the chain's RPC
    const check = await verifyReceipt({ receipt, rpcUrl: chain.rpcUrl, expectedModelCommitment: BigInt(model.commitment!) })
    expect(check).toMatchObject({ valid: true, offChain: true, onChain: true, recordedByReceiptTx: true })
    // a tampered receipt fails
    const forged = { ...receipt, publicSignals: [String(1 - Number(receipt.output)), receipt.publicSignals[1]!, receipt.publicSignals[2]!] }
    expect((await verifyReceipt({ receipt: forged, rpcUrl: chain.rpcUrl })).valid).toBe(false)

    // a verifier can read the job, but not the owner's salt
    const verifier = new KrainClient({ url, account: wallet(32) })
    const seen = await verifier.job(job.id)
    expect(seen.result?.salt).toBeUndefined()
    expect((await agent.job(job.id)).result?.salt).toMatch(/^\d+$/)

    // Outage: the chain becomes unreachable; the proof waits in the outbox and lands once it is back
    await proxy.down()
    const job2 = await agent.prove({ modelId: model.id, input: task.test.x[4]! })
    const proved = await agent.waitForJob(job2.id, { until: 'proved' })
    expect(proved.state).toBe('proved')
    const entry = `submit:${job2.id}`
    const retried = await waitUntil({
      events: app.outbox.events,
      event: 'outbox',
      id: entry,
      read: () => app.store.getOutbox(entry),
      ready: (e) => e !== null && e.attempts >= 2 && e.lastError !== null && e.lockedUntil === null,
      timeoutMs: 120_000,
      onTimeout: () => new Error(`outbox entry ${entry} did not fail twice`),
    })
    expect(retried?.lastError).toBeTruthy()
    expect((await agent.job(job2.id)).state).toBe('proved')
    await proxy.up()
    const landed = await agent.waitForJob(job2.id)
    expect(landed.state).toBe('confirmed')
    const r2 = await agent.receipt(job2.id)
    expect((await verifyReceipt({ receipt: r2, rpcUrl: chain.rpcUrl })).valid).toBe(true)
  })
})
