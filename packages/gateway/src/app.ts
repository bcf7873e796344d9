/**
 * @module app
 * The gateway as one Fastify plugin (fastify/demo's layout): the body parsers, external plugins,
 * then our services, then the error handlers, then the routes. `server.ts` only starts it;
 * {@link buildGateway} builds a ready instance for the CLI, the tests and the benchmark.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import Fastify, { LogController } from 'fastify'
import fp from 'fastify-plugin'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { PolicyDocument } from './auth/policy.js'
import type { ChainAdapter } from './chain/adapter.js'
import { trustProxyOption, type Config } from './config.js'
import { loggerOptions } from './log/log-format.js'
import { corsPlugin } from './plugins/external/cors.js'
import { envPlugin } from './plugins/external/env.js'
import { helmetPlugin } from './plugins/external/helmet.js'
import { rateLimitPlugin } from './plugins/external/rate-limit.js'
import { swaggerPlugin } from './plugins/external/swagger.js'
import { authPlugin } from './plugins/app/auth.js'
import { chainPlugin } from './plugins/app/chain.js'
import { errorHandlerPlugin } from './plugins/app/error-handler.js'
import { jobsPlugin } from './plugins/app/jobs.js'
import { metricsPlugin } from './plugins/app/metrics.js'
import { mpcPlugin } from './plugins/app/mpc.js'
import { rawBodyPlugin } from './plugins/app/raw-body.js'
import { storePlugin } from './plugins/app/store.js'
import { uiPlugin } from './plugins/app/ui.js'
import { workerPoolPlugin } from './plugins/app/worker-pool.js'
import { identityPlugin } from './identity/plugin.js'
import { authRoutes } from './routes/auth/index.js'
import { healthRoutes } from './routes/health/index.js'
import { mpcRoutes } from './routes/mpc/index.js'
import { psiRoutes } from './routes/psi/index.js'
import { heRoutes } from './routes/he/index.js'
import { contractRoutes } from './routes/contracts/index.js'
import { keyBundleRoutes } from './routes/he/bundles.js'
import { jobRoutes } from './routes/jobs/index.js'
import { queueRoutes } from './routes/queues/index.js'
import { modelRoutes } from './routes/models/index.js'
import { dashboardRoutes } from './routes/dashboard/index.js'
import { federatedRoutes } from './routes/federated/index.js'
import { auditRoutes } from './routes/audit/index.js'
import { ErrorResponse } from '@krain/client/schemas/common'
import type { Store } from './store/types.js'

/** Options of the {@link app} plugin. */
export type AppOptions = {
  config: Config
  /** Use this store instead of opening `config.databaseUrl` (it is then not closed by the app). */
  store?: Store
  /** Use this chain adapter (or `null` for none) instead of connecting from the config. */
  chain?: ChainAdapter | null
  /** Use this policy instead of `config.policyFile` / the development policy. */
  policy?: PolicyDocument
}

/** The gateway plugin. */
export const app = fp<AppOptions>(
  async (fastify, opts) => {
    fastify.addSchema(ErrorResponse)
    await fastify.register(rawBodyPlugin)

    await fastify.register(envPlugin, { config: opts.config })
    await fastify.register(helmetPlugin)
    await fastify.register(corsPlugin)
    await fastify.register(swaggerPlugin)
    await fastify.register(storePlugin, { store: opts.store })
    await fastify.register(metricsPlugin)
    await fastify.register(rateLimitPlugin)
    await fastify.register(authPlugin, { policy: opts.policy })
    await fastify.register(workerPoolPlugin)
    await fastify.register(chainPlugin, { chain: opts.chain })
    await fastify.register(jobsPlugin)
    await fastify.register(mpcPlugin)
    await fastify.register(identityPlugin) // anonymous requests, on-chain policy, credentials

    await fastify.register(errorHandlerPlugin)

    // Routes last: they inherit the error handlers above.
    await fastify.register(healthRoutes)
    await fastify.register(uiPlugin)
    await fastify.register(authRoutes, { prefix: '/v1/auth' })
    await fastify.register(mpcRoutes, { prefix: '/v1/mpc' })
    await fastify.register(psiRoutes, { prefix: '/v1/psi' })
    await fastify.register(heRoutes, { prefix: '/v1/he' })
    await fastify.register(contractRoutes, { prefix: '/v1/contracts' })
    await fastify.register(keyBundleRoutes, { prefix: '/v1/he' })
    await fastify.register(modelRoutes, { prefix: '/v1/models' })
    await fastify.register(jobRoutes, { prefix: '/v1' })
    await fastify.register(queueRoutes, { prefix: '/v1/queues' })
    await fastify.register(dashboardRoutes, { prefix: '/v1/dashboard' })
    await fastify.register(federatedRoutes, { prefix: '/v1/federated' })
    await fastify.register(auditRoutes, { prefix: '/v1/audit' })
  },
  { name: 'krain-gateway' },
)

/**
 * Longest path parameter the router accepts: ids are at most 128 characters (`Id` in
 * schemas/common.ts), so a model name of up to 100 characters plus its suffix routes (no 414).
 */
export const MAX_PARAM_LENGTH = 256

/** Fastify server options for a config (body limit, logger, proxy trust). */
export function serverOptions(config: Config): FastifyServerOptions {
  return {
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    logger: loggerOptions(config),
    // probes (health checks, scrapes) are not logged per request
    logController: new LogController({ disableRequestLogging: (req) => req.url === '/healthz' || req.url === '/metrics' }),
    requestIdHeader: 'x-request-id',
    // Errors raised by the router before any route runs (a malformed URL, a parameter longer than
    // MAX_PARAM_LENGTH) get the same `{ code, message }` body as every other error.
    frameworkErrors: (error, _req, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
      // Written on the raw response: the reply's types here are generic over every route's schema.
      reply.hijack()
      reply.raw.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code: typeof error.code === 'string' ? error.code : 'BAD_REQUEST', message: error.message.slice(0, 300) }))
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }
}

/**
 * Build a gateway instance (not listening yet).
 * @param options - the config and optional injected store, chain and policy
 * @returns the Fastify instance, ready
 * @example
 * ```ts
 * const gw = await buildGateway({ config: loadConfig({ DATABASE_URL: ':memory:' }) })
 * await gw.listen({ port: 0 })
 * ```
 */
export async function buildGateway(options: AppOptions): Promise<FastifyInstance> {
  // Routes declare their own type provider (FastifyPluginAsyncTypebox); the instance only needs the compiler.
  const fastify = Fastify(serverOptions(options.config)).setValidatorCompiler(TypeBoxValidatorCompiler)
  await fastify.register(app, options)
  await fastify.ready()
  return fastify
}
