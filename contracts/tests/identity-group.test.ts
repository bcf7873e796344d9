/**
 * GroupRegistry on a real anvil with real membership proofs from @krain/identity: on-chain
 * verification, nullifier replay refused, a removed member's stale root refused after the window.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, createTestClient, createWalletClient, http, type Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil, type Anvil } from '@krain/chain'
import { Group, createIdentity, generateMembershipProof, membershipCalldata, terminateIdentityCurves, type Identity, type MembershipProof } from '@krain/identity'

const art = (n: string): { abi: Abi; bytecode: Hex } => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'artifacts', `${n}.json`), 'utf8')) as { abi: Abi; bytecode: Hex }
const G = art('GroupRegistry'); const V = art('MembershipVerifier')

let anvil: Anvil
let registry: Hex
let pub: ReturnType<typeof createPublicClient>
let admin: ReturnType<typeof createWalletClient>, stranger: ReturnType<typeof createWalletClient>
let test: ReturnType<typeof createTestClient>
let ids: Identity[]
let group: Group
let proof: MembershipProof

async function send(w: ReturnType<typeof createWalletClient>, functionName: string, args: unknown[]): Promise<void> {
  const { request } = await pub.simulateContract({ address: registry, abi: G.abi, functionName, args, account: w.account! })
  const hash = await w.writeContract(request)
  const r = await pub.waitForTransactionReceipt({ hash })
  expect(r.status).toBe('success')
}

beforeAll(async () => {
  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  pub = createPublicClient({ chain: foundry, transport })
  admin = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[0]! as Hex) })
  stranger = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[1]! as Hex) })
  test = createTestClient({ chain: foundry, transport, mode: 'anvil' })
  const deploy = async (a: { abi: Abi; bytecode: Hex }): Promise<Hex> => {
    const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode, account: admin.account!, chain: foundry })
    return (await pub.waitForTransactionReceipt({ hash })).contractAddress!
  }
  const verifier = await deploy(V)
  registry = await deploy(G)
  ids = await Promise.all([createIdentity(), createIdentity(), createIdentity()])
  group = await Group.create()
  await send(admin, 'createGroup', [[admin.account!.address], verifier, 600n])
  for (const id of ids) { group.add(id.commitment); await send(admin, 'addMember', [1n, id.commitment, group.root]) }
  proof = await generateMembershipProof({ identity: ids[1]!, group, groupId: 1n, scope: 'epoch:1', message: 'request-digest' })
}, 120_000)
afterAll(async () => { await terminateIdentityCurves(); await anvil?.stop() })

const args = (p: MembershipProof): unknown[] => { const c = membershipCalldata(p); return [1n, c.a, c.b, c.c, c.signals] }

describe('GroupRegistry', () => {
  it('records the off-chain root and refuses a non-admin', async () => {
    const [root, size] = (await pub.readContract({ address: registry, abi: G.abi, functionName: 'getGroup', args: [1n] })) as [bigint, number]
    expect(root).toBe(group.root); expect(size).toBe(3)
    await expect(pub.simulateContract({ address: registry, abi: G.abi, functionName: 'addMember', args: [1n, 5n, 6n], account: stranger.account! })).rejects.toThrow(/GroupRegistry__NotAdmin/)
  })

  it('verifies a membership proof on-chain and refuses a changed message', async () => {
    expect(await pub.readContract({ address: registry, abi: G.abi, functionName: 'verifyProof', args: args(proof) })).toBe(true)
    const c = membershipCalldata(proof)
    const bad = [1n, c.a, c.b, c.c, [c.signals[0], c.signals[1], c.signals[2] + 1n, c.signals[3]]]
    expect(await pub.readContract({ address: registry, abi: G.abi, functionName: 'verifyProof', args: bad })).toBe(false)
  })

  it('validates once and refuses the nullifier replayed in the same scope', async () => {
    const { request } = await pub.simulateContract({ address: registry, abi: G.abi, functionName: 'validateProof', args: args(proof), account: stranger.account! })
    const r = await pub.waitForTransactionReceipt({ hash: await stranger.writeContract(request) })
    expect(r.status).toBe('success')
    expect(r.logs.length).toBe(1)
    await expect(pub.simulateContract({ address: registry, abi: G.abi, functionName: 'validateProof', args: args(proof), account: stranger.account! })).rejects.toThrow(/GroupRegistry__NullifierUsed/)
  })

  it("refuses a removed member's proof against the old root after the window", async () => {
    const stale = await generateMembershipProof({ identity: ids[2]!, group, groupId: 1n, scope: 'epoch:2', message: 'm' })
    group.remove(2)
    await send(admin, 'removeMember', [1n, 2n, ids[2]!.commitment, group.root])
    expect(await pub.readContract({ address: registry, abi: G.abi, functionName: 'verifyProof', args: args(stale) })).toBe(true)
    await test.increaseTime({ seconds: 601 }); await test.mine({ blocks: 1 })
    await expect(pub.simulateContract({ address: registry, abi: G.abi, functionName: 'validateProof', args: args(stale), account: stranger.account! })).rejects.toThrow(/GroupRegistry__RootExpired/)
    await expect(generateMembershipProof({ identity: ids[2]!, group, groupId: 1n, scope: 'epoch:2', message: 'm' })).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
  }, 60_000)
})
