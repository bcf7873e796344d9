/**
 * @module plugins/external/rate-limit
 * Per-identity rate limit (@fastify/rate-limit), applied by the auth plugin's `onRequest` hook
 * right after the caller is resolved from the headers and before any refusal: the key is the
 * session's wallet address when there is one and the client IP otherwise (`trustProxy` decides
 * which IP), so a signed-in agent cannot escape its limit by changing IP, and requests refused by
 * auth or validation still spend their IP's budget.
 *
 * Where the counts live: in this process's memory with SQLite (the embedded, single-process mode),
 * in the store's `rate_limits` table with PostgreSQL, so that several gateway instances behind one
 * address share each caller's budget (a fixed window per key, counted by one atomic upsert). Keys
 * are stored hashed (no client IP in the database). Health and metrics probes (`GET|HEAD /healthz`,
 * `/metrics`) are limited too, but in their own per-instance bucket in memory: a load balancer's
 * probe must not wait behind a database round-trip (with 100 concurrent clients the shared upsert put
 * `/healthz` p99 at ~200 ms), and probes do not spend the caller's shared budget.
 */
import { createHash } from 'node:crypto'
// @ts-expect-error -- the plugin's in-memory store has no type declarations of its own
import LocalStore from '@fastify/rate-limit/store/LocalStore.js'
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError } from '../../errors.js'
import type { Store } from '../../store/types.js'

/**
 * A `@fastify/rate-limit` store class counting in the gateway's store (shared by every instance
 * on one database).
 * @param store - where the windows are counted
 * @returns the class to pass as the plugin's `store` option
 * @example
 * ```ts
 * await fastify.register(rateLimit, { store: storeBackedRateLimit(fastify.store), max: 100, timeWindow: 60_000 })
 * ```
 */
export function storeBackedRateLimit(store: Pick<Store, 'hitRateLimit'>): FastifyRateLimitStoreCtor {
  return class StoreRateLimit implements FastifyRateLimitStore {
    private readonly local = new (LocalStore as new (continueExceeding: boolean, exponentialBackoff: boolean, cache: number) => FastifyRateLimitStore)(false, false, 5000)
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max?: number): void {
      if (key.startsWith(LOCAL_PREFIX)) return (this.local.incr as (k: string, cb: typeof callback, w: number, m?: number) => void)(key, callback, timeWindow, max)
      const now = Date.now()
      const hashed = createHash('sha256').update(key).digest('base64url').slice(0, 32)
      store.hitRateLimit(hashed, timeWindow, now).then(
        ({ count, resetAt }) => callback(null, { current: count, ttl: Math.max(0, resetAt - now) }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      )
    }
    child(): FastifyRateLimitStore {
      return this
    }
  }
}

/** Keys with this prefix are counted in this instance's memory (probes). */
const LOCAL_PREFIX = 'local:'
const PROBES: ReadonlySet<string> = new Set(['/healthz', '/metrics'])

/** True for a liveness/metrics probe (`GET` or `HEAD` of `/healthz` or `/metrics`). */
export function isProbe(req: FastifyRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && PROBES.has(req.routeOptions.url ?? '')
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Count the request against its bucket; throws 429 RATE_LIMITED past the limit. */
    limitRequest: (req: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** Register @fastify/rate-limit (not as a route hook: the auth plugin calls {@link limitRequest}). */
export const rateLimitPlugin = fp(
  async (fastify) => {
    await fastify.register(rateLimit, {
      ...(fastify.store.kind === 'postgres' ? { store: storeBackedRateLimit(fastify.store) } : {}),
      global: false,
      max: fastify.config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) => `${isProbe(req) ? LOCAL_PREFIX : ''}${req.identity ? `id:${req.identity.address}` : `ip:${req.ip}`}`,
      errorResponseBuilder: (_req, ctx) => new GatewayError('RATE_LIMITED', { shortMessage: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${ctx.after}` }),
    })
    const limiter = fastify.rateLimit() as (req: FastifyRequest, reply: FastifyReply) => Promise<void>
    fastify.decorate('limitRequest', limiter)
  },
  { name: 'krain-rate-limit', dependencies: ['krain-env', 'krain-store'] },
)
