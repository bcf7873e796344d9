/**
 * PolicyRegistry on a real anvil: t-of-n changes (propose / approve / execute), events, and the
 * custom-error reverts (one approver of a 2-of-3 cannot publish alone; strangers cannot approve).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPublicClient, createWalletClient, decodeEventLog, http, keccak256, toHex, type Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil, type Anvil } from '@krain/chain'

const P = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'artifacts', 'PolicyRegistry.json'), 'utf8')) as { abi: Abi; bytecode: Hex }
type W = ReturnType<typeof createWalletClient>
let anvil: Anvil
let pub: ReturnType<typeof createPublicClient>
let w: W[]
let registry: Hex
const policyId = keccak256(toHex('policy:model-7'))
const v1 = keccak256(toHex('{"allow":["did:pkh:eip155:1:0x…"]}'))
const v2 = keccak256(toHex('{"allow":["group:1"]}'))

async function send(c: W, functionName: string, args: unknown[]) {
  const { request, result } = await pub.simulateContract({ address: registry, abi: P.abi, functionName, args, account: c.account! })
  const r = await pub.waitForTransactionReceipt({ hash: await c.writeContract(request) })
  expect(r.status).toBe('success')
  return { result, logs: r.logs.map((l) => decodeEventLog({ abi: P.abi, data: l.data, topics: l.topics })) }
}
const policy = async () => (await pub.readContract({ address: registry, abi: P.abi, functionName: 'getPolicy', args: [policyId] })) as [Hex, bigint, Hex[], number]

beforeAll(async () => {
  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  pub = createPublicClient({ chain: foundry, transport })
  w = anvil.privateKeys.slice(0, 5).map((k) => createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(k as Hex) }))
  const hash = await w[0]!.deployContract({ abi: P.abi, bytecode: P.bytecode, account: w[0]!.account!, chain: foundry })
  registry = (await pub.waitForTransactionReceipt({ hash })).contractAddress!
  await send(w[0]!, 'createPolicy', [policyId, v1, w.slice(0, 3).map((x) => x.account!.address), 2])
}, 60_000)
afterAll(async () => { await anvil?.stop() })

describe('PolicyRegistry', () => {
  it('creates a policy at version 1', async () => {
    const [hash, version, approvers, t] = await policy()
    expect([hash, version, approvers.length, t]).toEqual([v1, 1n, 3, 2])
  })

  it('does not let one approver of a 2-of-3 publish alone, and publishes with two', async () => {
    const approvers = w.slice(0, 3).map((x) => x.account!.address)
    const { result: id, logs } = await send(w[0]!, 'propose', [policyId, v2, approvers, 2])
    expect(logs.map((l) => l.eventName)).toEqual(['ChangeProposed', 'ChangeApproved'])
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'execute', args: [id], account: w[0]!.account! })).rejects.toThrow(/PolicyRegistry__NotEnoughApprovals/)
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'approve', args: [id], account: w[0]!.account! })).rejects.toThrow(/PolicyRegistry__AlreadyApproved/)
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'approve', args: [id], account: w[4]!.account! })).rejects.toThrow(/PolicyRegistry__NotApprover/)
    expect((await policy())[0]).toBe(v1)
    await send(w[2]!, 'approve', [id])
    const ex = await send(w[4]!, 'execute', [id])
    expect(ex.logs[0]).toMatchObject({ eventName: 'PolicyPublished', args: { policyId, hash: v2, version: 2n } })
    expect((await policy()).slice(0, 2)).toEqual([v2, 2n])
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'execute', args: [id], account: w[0]!.account! })).rejects.toThrow(/PolicyRegistry__Executed/)
  })

  it('needs t-of-n to change the approver set, and voids stale proposals', async () => {
    const newSet = [w[3]!.account!.address]
    const { result: widen } = await send(w[1]!, 'propose', [policyId, v2, newSet, 1])
    const { result: other } = await send(w[0]!, 'propose', [policyId, v1, w.slice(0, 3).map((x) => x.account!.address), 2])
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'execute', args: [widen], account: w[1]!.account! })).rejects.toThrow(/PolicyRegistry__NotEnoughApprovals/)
    await send(w[0]!, 'approve', [widen])
    await send(w[0]!, 'execute', [widen])
    const [, version, approvers, t] = await policy()
    expect([version, approvers, t]).toEqual([3n, newSet, 1])
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'approve', args: [other], account: w[1]!.account! })).rejects.toThrow(/PolicyRegistry__Stale/)
  })

  it('refuses a threshold above the number of approvers', async () => {
    await expect(pub.simulateContract({ address: registry, abi: P.abi, functionName: 'createPolicy', args: [keccak256(toHex('p2')), v1, [w[0]!.account!.address], 2], account: w[0]!.account! })).rejects.toThrow(/PolicyRegistry__BadThreshold/)
  })
})
