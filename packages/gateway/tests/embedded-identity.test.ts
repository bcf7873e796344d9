/**
 * `npm start` with the embedded chain deploys the identity contracts next to InferenceRegistry:
 * right after start-up a group is created and a member added on that chain with its dev key, and
 * the member's anonymous (membership-proof) request is served by the gateway, which reads the
 * group registry it deployed. Real anvil, real Groth16 membership proofs, real HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, createWalletClient, http, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { breastCancerTask } from '@krain/models'
import { createIdentity, Group, groupRegistryAbi, policyRegistryAbi, type Identity } from '@krain/identity'
import { AnonymousAgent } from '@krain/client'
import { startGateway, type RunningGateway } from '../src/server.js'
import { bearer, signInWith, wallet } from './helpers/app.js'

const dir = mkdtempSync(join(tmpdir(), 'krain-embedded-identity-'))
const policyFile = join(dir, 'policy.json')
let g: RunningGateway
let member: Identity
const hadRegistryEnv = process.env.KRAIN_GROUP_REGISTRY_ADDRESS

beforeAll(async () => {
  delete process.env.KRAIN_GROUP_REGISTRY_ADDRESS
  writeFileSync(policyFile, JSON.stringify({ defaults: { roles: ['model_owner', 'agent'], models: ['*'] }, anonymous: [{ group: '1', models: ['*'], maxUses: 2, epochSeconds: 3600 }] }))
  g = await startGateway({ KRAIN_HOST: '127.0.0.1', KRAIN_PORT: '0', KRAIN_DATA_DIR: dir, KRAIN_POLICY_FILE: policyFile, KRAIN_LOG_LEVEL: 'warn' }, {}, () => undefined)
}, 120_000)

afterAll(async () => {
  await g?.stop()
  if (hadRegistryEnv !== undefined) process.env.KRAIN_GROUP_REGISTRY_ADDRESS = hadRegistryEnv
  rmSync(dir, { recursive: true, force: true })
})

describe('the embedded chain of npm start', () => {
  it('deploys GroupRegistry, PolicyRegistry and the membership verifier', async () => {
    expect(g.identity).toBeDefined()
    const pub = createPublicClient({ chain: foundry, transport: http(g.config.rpcUrl!) })
    for (const a of [g.identity!.groupRegistry, g.identity!.policyRegistry, g.identity!.verifier]) expect((await pub.getCode({ address: a }))?.length ?? 0).toBeGreaterThan(2)
    expect(await pub.readContract({ address: g.identity!.groupRegistry, abi: groupRegistryAbi, functionName: 'groupCount' })).toBe(0n)
    expect(await pub.readContract({ address: g.identity!.policyRegistry, abi: policyRegistryAbi, functionName: 'proposalCount' })).toBe(0n)
    expect(process.env.KRAIN_GROUP_REGISTRY_ADDRESS).toBe(g.identity!.groupRegistry)
  })

  it('serves an anonymous request of a member added right after start-up', async () => {
    const transport = http(g.config.rpcUrl!)
    const pub = createPublicClient({ chain: foundry, transport })
    const admin = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(g.config.privateKey! as Hex) })
    const registry = g.identity!.groupRegistry
    const send = async (functionName: 'createGroup' | 'addMember', args: readonly unknown[]): Promise<void> => {
      const { request } = await pub.simulateContract({ address: registry, abi: groupRegistryAbi, functionName, args: args as never, account: admin.account })
      expect((await pub.waitForTransactionReceipt({ hash: await admin.writeContract(request as never) })).status).toBe('success')
    }
    await send('createGroup', [[admin.account.address], g.identity!.verifier, 600n])
    member = await createIdentity()
    const group = await Group.create()
    group.add(member.commitment)
    await send('addMember', [1n, member.commitment, group.root])

    const token = await signInWith(g.app, wallet(5))
    const m = await g.app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'bc', model: breastCancerTask().model } })
    expect(m.statusCode).toBe(201)
    const modelId = (m.json() as { id: string }).id
    const agent = new AnonymousAgent({ url: g.url, identity: member, groupId: 1n, epochSeconds: 3600, chain: { rpcUrl: g.config.rpcUrl!, groupRegistry: registry } })
    const plan = (await agent.request('POST', `/v1/models/${modelId}/he/plan`, { batchSize: 4 })) as { slots?: number }
    expect(plan).toBeTypeOf('object')
    // someone outside the group is refused
    const stranger = new AnonymousAgent({ url: g.url, identity: await createIdentity(), groupId: 1n, epochSeconds: 3600, chain: { rpcUrl: g.config.rpcUrl!, groupRegistry: registry } })
    await expect(stranger.request('POST', `/v1/models/${modelId}/he/plan`, { batchSize: 4 })).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
  }, 120_000)
})
