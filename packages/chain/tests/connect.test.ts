import { afterAll, describe, expect, it } from 'vitest'
import { ChainError, connectChain, getInference, inferenceRegistryAbi, verifierCircuits, type ConnectChainReturnType } from '../src/index.js'

describe('connectChain', () => {
  const opened: ConnectChainReturnType[] = []
  afterAll(async () => {
    for (const c of opened) await c.stop()
  })

  it('without KRAIN_RPC_URL starts anvil and deploys the registry and every verifier', async () => {
    const c = await connectChain({ env: {} })
    opened.push(c)
    expect(c.anvil).not.toBeNull()
    expect(c.client.chain.id).toBe(31337)
    expect(Object.keys(c.verifiers).sort()).toEqual(verifierCircuits())
    const owner = await c.client.publicClient.readContract({ address: c.registry!, abi: inferenceRegistryAbi, functionName: 'owner' })
    expect(owner).toBe(c.client.account!.address)
    expect(await getInference({ client: c.client, registry: c.registry!, id: `0x${'00'.repeat(32)}` })).toBeNull()
  }, 30_000) // five deployments: slow when the machine is shared

  it('with KRAIN_RPC_URL and KRAIN_REGISTRY_ADDRESS connects to that chain and registry (read-only without a key)', async () => {
    const local = opened[0]!
    const c = await connectChain({ env: { KRAIN_RPC_URL: local.anvil!.rpcUrl, KRAIN_REGISTRY_ADDRESS: local.registry! } })
    expect(c.anvil).toBeNull()
    expect(c.registry).toBe(local.registry)
    expect(c.client.walletClient).toBeUndefined()
    expect(await c.client.publicClient.getCode({ address: c.registry! })).toMatch(/^0x[0-9a-f]{100,}$/)
  })

  it('deploys on a configured chain only when asked and given a key', async () => {
    const local = opened[0]!
    const err = await connectChain({ env: { KRAIN_RPC_URL: local.anvil!.rpcUrl }, deployIfMissing: true }).catch((e: unknown) => e)
    expect((err as ChainError).code).toBe('CHAIN_CONFIG_INVALID')
    const c = await connectChain({ env: { KRAIN_RPC_URL: local.anvil!.rpcUrl, KRAIN_PRIVATE_KEY: local.anvil!.privateKeys[2]! }, deployIfMissing: true })
    expect(c.registry).not.toBeNull()
    expect(c.registry).not.toBe(local.registry)
    // the verifiers are already at their CREATE2 addresses: reused, not deployed again
    expect(c.verifiers).toEqual(local.verifiers)
  }, 30_000)
})
