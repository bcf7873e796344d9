/**
 * @module plugins/app/chain
 * Decorates `fastify.chain`: the injected adapter, or one connected from the configuration's
 * chain part (`KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`, `KRAIN_REGISTRY_ADDRESS`, `KRAIN_VERIFIERS`, parsed
 * by `@krain/chain`) through `@krain/chain`'s `connectChain`; `null` while there is none. When the RPC is down at startup the gateway starts degraded: it serves
 * everything else, chain routes answer 503 CHAIN_UNAVAILABLE with `Retry-After`, the outbox keeps
 * its entries, and the connection is retried in the background with a capped backoff.
 */
import fp from 'fastify-plugin'
import type { ChainAdapter } from '../../chain/adapter.js'
import { chainConfigOf } from '../../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The chain adapter, or `null` while none is configured or reachable. */
    readonly chain: ChainAdapter | null
    /** `none` (not configured), `connected`, or `connecting` (degraded: retrying in the background). */
    readonly chainStatus: 'none' | 'connected' | 'connecting'
  }
}

/** First and largest delay between connection attempts while the RPC is down. */
export const CHAIN_RETRY_MS = { first: 1_000, max: 30_000 } as const

/** Register the chain adapter. */
export const chainPlugin = fp<{ chain?: ChainAdapter | null; retryMs?: { first: number; max: number } }>(
  async (fastify, opts) => {
    let chain: ChainAdapter | null = opts.chain ?? null
    let status: 'none' | 'connected' | 'connecting' = chain ? 'connected' : 'none'
    fastify.decorate('chain', { getter: () => chain })
    fastify.decorate('chainStatus', { getter: () => status })
    if (opts.chain !== undefined) return
    const chainConfig = chainConfigOf(fastify.config)
    if (!chainConfig) return

    const retry = opts.retryMs ?? CHAIN_RETRY_MS
    let closed = false
    let timer: NodeJS.Timeout | undefined
    let delay = retry.first
    const connect = async (): Promise<void> => {
      const { connectChainAdapter } = await import('../../chain/krain-chain.js')
      try {
        const c = await connectChainAdapter(chainConfig)
        if (closed) return void (await c.close())
        chain = c
        status = 'connected'
        fastify.log.info({ chainId: c.chainId }, 'chain connected')
      } catch (e) {
        if (closed) return
        status = 'connecting'
        fastify.log.warn({ err: { code: (e as { code?: string }).code, message: (e as { shortMessage?: string }).shortMessage ?? (e as Error).message }, retryInMs: delay }, 'chain RPC unreachable: serving without it, retrying')
        timer = setTimeout(() => void connect(), delay)
        timer.unref()
        delay = Math.min(retry.max, delay * 2)
      }
    }
    await connect()
    fastify.addHook('onClose', async () => {
      closed = true
      clearTimeout(timer)
      await chain?.close()
    })
  },
  { name: 'krain-chain', dependencies: ['krain-env'] },
)
