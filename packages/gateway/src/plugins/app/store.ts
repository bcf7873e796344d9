/**
 * @module plugins/app/store
 * Decorates `fastify.store`: the injected store, or one opened from `config.databaseUrl`
 * (closed with the instance only when opened here).
 */
import fp from 'fastify-plugin'
import { openStore } from '../../store/sql-store.js'
import type { Store } from '../../store/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

/** Open (or adopt) the store. */
export const storePlugin = fp<{ store?: Store }>(
  async (fastify, opts) => {
    const store = opts.store ?? (await openStore(fastify.config.databaseUrl))
    fastify.decorate('store', store)
    if (!opts.store) fastify.addHook('onClose', async () => store.close())
  },
  { name: 'krain-store', dependencies: ['krain-env'] },
)
