/**
 * @module plugins/app/chain
 * Decorates `fastify.chain`: the injected adapter, or one connected from `KRAIN_RPC_URL`,
 * `KRAIN_PRIVATE_KEY` and `KRAIN_REGISTRY_ADDRESS` through `@krain/chain`; `null` when neither
 * (routes that need the chain then answer 503 CHAIN_UNAVAILABLE and the outbox keeps its entries).
 */
import fp from 'fastify-plugin'
import type { ChainAdapter } from '../../chain/adapter.js'

declare module 'fastify' {
  interface FastifyInstance {
    chain: ChainAdapter | null
  }
}

/** Register the chain adapter. */
export const chainPlugin = fp<{ chain?: ChainAdapter | null }>(
  async (fastify, opts) => {
    const { rpcUrl, privateKey, registryAddress, verifiers } = fastify.config
    const chain =
      opts.chain !== undefined
        ? opts.chain
        : rpcUrl && privateKey && registryAddress
          ? await (await import('../../chain/krain-chain.js')).connectChain({ rpcUrl, privateKey: privateKey as `0x${string}`, registryAddress: registryAddress as `0x${string}`, verifiers: verifiers ? (JSON.parse(verifiers) as Record<string, `0x${string}`>) : {} })
          : null
    fastify.decorate('chain', chain)
    if (chain && opts.chain === undefined) fastify.addHook('onClose', async () => chain.close())
  },
  { name: 'krain-chain', dependencies: ['krain-env'] },
)
