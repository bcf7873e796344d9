/**
 * Issue 16, anonymous proof-authenticated requests, on a real anvil with real Groth16 membership
 * proofs (the committed @krain/identity circuit, no rebuild): uses per epoch counted in the store
 * across a gateway restart, a digest mismatch refused, a removed member refused once the group's
 * window has passed, the nullifier's unique key deciding between two instances, and no identity
 * secret in the SQLite file or the logs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import { createPublicClient, createTestClient, createWalletClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil, type Anvil } from '@krain/chain'
import { breastCancerTask } from '@krain/models'
import { createIdentity, decodeMembershipProof, deployIdentityRegistries, encodeMembershipProof, Group, groupRegistryAbi, readGroup, type Identity } from '@krain/identity'
import { AnonymousAgent } from '@krain/client'
import { app as gatewayApp, serverOptions } from '../src/app.js'
import { openStore } from '../src/store/sql-store.js'
import { bearer, signInWith, testConfig, wallet } from './helpers/app.js'

const dir = mkdtempSync(join(tmpdir(), 'krain-identity-'))
const dbFile = join(dir, 'krain.db')
const policyFile = join(dir, 'policy.json')
const logs: string[] = []
let anvil: Anvil
let pub: ReturnType<typeof createPublicClient>
let admin: ReturnType<typeof createWalletClient>
let registry: Address
let ids: Identity[]
let gw: FastifyInstance
let modelId: string

/** Build the gateway on the shared SQLite file, logging at trace level into `logs`. */
async function start(): Promise<FastifyInstance> {
  const config = testConfig({ databaseUrl: dbFile, policyFile, logLevel: 'trace', logFormat: 'json' })
  const sink = new Writable({ write: (chunk, _enc, done) => { logs.push(String(chunk)); done() } })
  const f = Fastify({ ...serverOptions(config), logger: { level: 'trace', stream: sink } }).setValidatorCompiler(TypeBoxValidatorCompiler)
  await f.register(gatewayApp, { config, chain: null })
  await f.ready()
  return f as unknown as FastifyInstance
}

async function send(functionName: 'createGroup' | 'addMember' | 'removeMember', args: readonly unknown[]): Promise<void> {
  const { request } = await pub.simulateContract({ address: registry, abi: groupRegistryAbi, functionName, args: args as never, account: admin.account! })
  const r = await pub.waitForTransactionReceipt({ hash: await admin.writeContract(request as never) })
  expect(r.status).toBe('success')
}

/** An SDK agent whose requests go through `app.inject` (no socket needed). */
function agent(identity: Identity, group?: Group): AnonymousAgent {
  const fetchFn = (async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    const res = await gw.inject({ method: init.method as 'POST', url: url.replace('http://gateway', ''), headers: init.headers, payload: init.body })
    return new Response(res.body, { status: res.statusCode })
  }) as unknown as typeof fetch
  return new AnonymousAgent({ url: 'http://gateway', identity, groupId: 1n, epochSeconds: 3600, fetch: fetchFn, ...(group ? { group } : { chain: { rpcUrl: anvil.rpcUrl, groupRegistry: registry } }) })
}

const plan = (a: AnonymousAgent): Promise<unknown> => a.request('POST', `/v1/models/${modelId}/he/plan`, { batchSize: 4 })
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'OK', (e: { code?: string }) => e.code ?? String(e))

beforeAll(async () => {
  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  pub = createPublicClient({ chain: foundry, transport })
  admin = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[0]! as Hex) })
  const deployed = await deployIdentityRegistries({ publicClient: pub as never, walletClient: admin })
  registry = deployed.groupRegistry
  ids = await Promise.all([createIdentity(), createIdentity(), createIdentity()])
  const group = await Group.create()
  await send('createGroup', [[admin.account!.address], deployed.verifier, 600n])
  for (const id of ids) { group.add(id.commitment); await send('addMember', [1n, id.commitment, group.root]) }
  writeFileSync(policyFile, JSON.stringify({ defaults: { roles: ['model_owner', 'agent'], models: ['*'] }, anonymous: [{ group: '1', models: ['*'], maxUses: 2, epochSeconds: 3600 }] }))
  process.env.KRAIN_GROUP_REGISTRY_ADDRESS = registry
  process.env.KRAIN_IDENTITY_RPC_URL = anvil.rpcUrl
  gw = await start()
  const token = await signInWith(gw, wallet(1))
  const m = await gw.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'bc', model: breastCancerTask().model } })
  expect(m.statusCode).toBe(201)
  modelId = (m.json() as { id: string }).id
}, 120_000)

afterAll(async () => {
  await gw?.close()
  await anvil?.stop()
  delete process.env.KRAIN_GROUP_REGISTRY_ADDRESS
  delete process.env.KRAIN_IDENTITY_RPC_URL
  rmSync(dir, { recursive: true, force: true })
})

describe('anonymous membership requests', () => {
  it('serves a member N times per epoch and refuses the next use after a restart', async () => {
    const bob = agent(ids[1]!)
    const r = (await plan(bob)) as { slots?: number }
    expect(r).toBeTypeOf('object')
    expect(await codeOf(plan(bob))).toBe('OK')
    await gw.close()
    gw = await start() // same SQLite file: the nullifier uses survive
    expect(await codeOf(plan(bob))).toBe('IDENTITY_NULLIFIER_EXHAUSTED')
  })

  it('refuses a proof whose digest binds another body or path, and a route outside the rule', async () => {
    const alice = agent(ids[0]!)
    const headers = await alice.proofHeaders({ method: 'POST', path: `/v1/models/${modelId}/he/plan`, body: JSON.stringify({ batchSize: 4 }), modelId })
    const other = await gw.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ batchSize: 8 }) })
    expect(other.statusCode).toBe(401)
    expect(other.json()).toMatchObject({ code: 'IDENTITY_MESSAGE_MISMATCH' })
    const path = await gw.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan?x=1`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ batchSize: 4 }) })
    expect(path.json()).toMatchObject({ code: 'IDENTITY_MESSAGE_MISMATCH' })
    const notModel = await gw.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: { ...headers, 'content-type': 'application/json' }, payload: '{}' })
    expect(notModel.statusCode).toBe(403)
    expect(notModel.json()).toMatchObject({ code: 'ANONYMOUS_NOT_ALLOWED' })
    const decoded = decodeMembershipProof(headers['x-krain-membership-proof'])
    const lastEpoch = encodeMembershipProof({ ...decoded, scopeTag: decoded.scopeTag.replace(/epoch:(\d+)$/, (_m, n: string) => `epoch:${Number(n) - 1}`) })
    const stale = await gw.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: { 'x-krain-membership-proof': lastEpoch, 'content-type': 'application/json' }, payload: JSON.stringify({ batchSize: 4 }) })
    expect(stale.statusCode).toBe(401)
    expect(stale.json()).toMatchObject({ code: 'IDENTITY_SCOPE_MISMATCH' })
    const junk = await gw.inject({ method: 'POST', url: `/v1/models/${modelId}/he/plan`, headers: { 'x-krain-membership-proof': 'e30', 'content-type': 'application/json' }, payload: '{}' })
    expect(junk.statusCode).toBe(400)
    expect(junk.json()).toMatchObject({ code: 'ANONYMOUS_PROOF_MALFORMED' })
    // the refused attempts consumed nothing, and bob's exhausted nullifier is not alice's
    expect(await codeOf(plan(alice))).toBe('OK')
  })

  it("accepts a removed member's proof on the old root within the window, and refuses it after", async () => {
    const { group: before } = await readGroup({ publicClient: pub as never, registry, groupId: 1n })
    const carolsCopy = await Group.create(before.members) // the tree carol kept before her removal
    const after = await Group.create(before.members)
    after.remove(2)
    await send('removeMember', [1n, 2n, ids[2]!.commitment, after.root])
    const carol = agent(ids[2]!, carolsCopy)
    expect(await codeOf(plan(carol))).toBe('OK')
    const test = createTestClient({ chain: foundry, transport: http(anvil.rpcUrl), mode: 'anvil' })
    await test.increaseTime({ seconds: 601 })
    await test.mine({ blocks: 1 })
    expect(await codeOf(plan(carol))).toBe('IDENTITY_ROOT_EXPIRED')
    // from the current tree carol cannot prove at all
    await expect(agent(ids[2]!).proofHeaders({ method: 'POST', path: '/x', modelId })).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
  })

  it('lets the unique key decide between two instances sharing the store', async () => {
    const shared = join(dir, 'shared.db')
    const a = await openStore(shared)
    const b = await openStore(shared)
    try {
      const key = { groupId: '9', scope: '123', nullifier: '456' }
      const got = await Promise.all([...Array(6)].map((_, i) => (i % 2 ? a : b).consumeNullifier(key, 3, Date.now())))
      expect(got.filter((x) => x !== undefined).sort()).toEqual([1, 2, 3])
      expect(await a.countNullifier(key)).toBe(3)
    } finally {
      await a.close(); await b.close()
    }
  })

  it('never stores or logs an identity secret', async () => {
    await gw.close()
    gw = await start()
    const files = [dbFile, `${dbFile}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'))
    const text = files.join('') + logs.join('')
    expect(logs.length).toBeGreaterThan(10) // the scan can see: requests were logged
    expect(text).toContain('identity_nullifiers') // the scan reads the real file
    for (const id of ids) {
      for (const form of [id.secret.toString(), id.secret.toString(16), Buffer.from(id.secret.toString(16).padStart(64, '0'), 'hex').toString('latin1')]) expect(text.includes(form)).toBe(false)
    }
  })
})
