/**
 * ContractRegistry on a real anvil: the first account to record a source hash owns it, may record
 * it again, another account is refused with a typed error; the getter and the event agree; the
 * CREATE2 deployment is reused; zero hashes and a missing registry are typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainError, chainConfigFromEnv, contractRegistryAbi, contractRegistryAddress, createChainClient, deployContractRegistry, findContractRecordTransaction, getContractRecord, recordContract, startAnvil, type Anvil, type ChainClient } from '@krain/chain'
import { keccak256, parseEventLogs, toHex, zeroHash } from 'viem'

let anvil: Anvil
let alice: ChainClient
let bob: ChainClient
let registry: `0x${string}`

beforeAll(async () => {
  anvil = await startAnvil()
  alice = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
  bob = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[1]! })
  registry = (await deployContractRegistry({ client: alice })).address
}, 60_000)

afterAll(async () => anvil?.stop())

const h = (s: string) => keccak256(toHex(s))

describe('ContractRegistry', () => {
  it('deploys at its CREATE2 address, and a second deployment reuses it', async () => {
    expect(registry).toBe(contractRegistryAddress())
    const again = await deployContractRegistry({ client: bob })
    expect(again).toMatchObject({ address: registry, reused: true, gasUsed: 0n })
  })

  it('records a hash owned by the sender; the getter and the event state the same record', async () => {
    expect(await getContractRecord({ client: alice, registry, sourceHash: h('risk') })).toBeNull()
    const r = await recordContract({ client: alice, registry, sourceHash: h('risk'), planHash: h('plan-1'), uri: 'krain:contract:ct_1' })
    expect(r.record).toEqual({ sourceHash: h('risk'), owner: alice.account!.address, planHash: h('plan-1'), blockNumber: r.blockNumber, uri: 'krain:contract:ct_1' })
    expect(await getContractRecord({ client: bob, registry, sourceHash: h('risk') })).toEqual(r.record)
    const receipt = await alice.publicClient.getTransactionReceipt({ hash: r.hash })
    const [event] = parseEventLogs({ abi: contractRegistryAbi, eventName: 'ContractRecorded', logs: receipt.logs })
    expect(event!.args).toEqual({ sourceHash: h('risk'), owner: alice.account!.address, planHash: h('plan-1'), uri: 'krain:contract:ct_1' })
    expect(await findContractRecordTransaction({ client: bob, registry, sourceHash: h('risk') })).toEqual({ hash: r.hash, blockNumber: r.blockNumber, owner: alice.account!.address, planHash: h('plan-1') })
  })

  it('lets the owner record the hash again and refuses another account (CHAIN_CONTRACT_HASH_OWNED, nothing changed)', async () => {
    const again = await recordContract({ client: alice, registry, sourceHash: h('risk'), planHash: h('plan-2'), uri: 'krain:contract:ct_2' })
    expect(again.record.planHash).toBe(h('plan-2'))
    const e = await recordContract({ client: bob, registry, sourceHash: h('risk'), planHash: h('plan-3'), uri: 'stolen' }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ChainError)
    expect(e).toMatchObject({ code: 'CHAIN_CONTRACT_HASH_OWNED', errorName: 'ContractRegistry__NotHashOwner', args: [alice.account!.address] })
    expect(await getContractRecord({ client: bob, registry, sourceHash: h('risk') })).toMatchObject({ owner: alice.account!.address, planHash: h('plan-2'), uri: 'krain:contract:ct_2' })
  })

  it('refuses zero hashes, malformed hashes and an address without the registry with typed errors', async () => {
    await expect(recordContract({ client: alice, registry, sourceHash: zeroHash, planHash: h('p'), uri: '' })).rejects.toMatchObject({ code: 'CHAIN_CONTRACT_ZERO_HASH' })
    await expect(recordContract({ client: alice, registry, sourceHash: '0x1234', planHash: h('p'), uri: '' })).rejects.toThrow(TypeError)
    await expect(getContractRecord({ client: alice, registry: alice.account!.address, sourceHash: h('risk') })).rejects.toMatchObject({ code: 'CHAIN_NOT_A_CONTRACT' })
  })

  it('KRAIN_CONTRACT_REGISTRY_ADDRESS is parsed by chainConfigFromEnv', () => {
    expect(chainConfigFromEnv({ KRAIN_CONTRACT_REGISTRY_ADDRESS: registry.toLowerCase() }).contractRegistryAddress).toBe(registry)
    expect(() => chainConfigFromEnv({ KRAIN_CONTRACT_REGISTRY_ADDRESS: 'nope' })).toThrow(expect.objectContaining({ code: 'CHAIN_CONFIG_INVALID' }))
  })
})
