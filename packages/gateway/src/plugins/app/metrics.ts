/**
 * @module plugins/app/metrics
 * Prometheus metrics (prom-client) in a registry owned by this instance: request rate, errors and
 * latency per route, jobs by state, proofs, sessions, outbox backlog and the process defaults.
 */
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The metrics an instance records. */
export type Metrics = {
  registry: Registry
  requests: Counter<'method' | 'route' | 'status'>
  errors: Counter<'route' | 'code'>
  latency: Histogram<'method' | 'route'>
  jobs: Counter<'kind' | 'state'>
  proofs: Counter<'result'>
  encryptedInferences: Counter<'model'>
  mpcEvents: Counter<'event'>
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
  }
}

/** Register the metrics and the hooks that feed them. */
export const metricsPlugin = fp(
  async (fastify) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const metrics: Metrics = {
      registry,
      requests: new Counter({ name: 'krain_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
      errors: new Counter({ name: 'krain_http_errors_total', help: 'HTTP error responses by route and error code', labelNames: ['route', 'code'], registers: [registry] }),
      latency: new Histogram({
        name: 'krain_http_request_duration_seconds',
        help: 'HTTP request latency',
        labelNames: ['method', 'route'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
        registers: [registry],
      }),
      jobs: new Counter({ name: 'krain_jobs_total', help: 'Job state transitions', labelNames: ['kind', 'state'], registers: [registry] }),
      proofs: new Counter({ name: 'krain_proofs_total', help: 'Proofs generated, by result', labelNames: ['result'], registers: [registry] }),
      encryptedInferences: new Counter({ name: 'krain_encrypted_inferences_total', help: 'Encrypted inference batches evaluated', labelNames: ['model'], registers: [registry] }),
      mpcEvents: new Counter({ name: 'krain_mpc_events_total', help: 'MPC session events (created, joined, shares, sum-shares, completed)', labelNames: ['event'], registers: [registry] }),
    }
    new Gauge({
      name: 'krain_sessions_active',
      help: 'Active sign-in sessions',
      registers: [registry],
      async collect() {
        this.set(await fastify.store.countActiveSessions(Date.now()))
      },
    })
    new Gauge({
      name: 'krain_jobs',
      help: 'Jobs by current state',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        for (const [state, n] of Object.entries(await fastify.store.countJobs())) this.set({ state }, n)
      },
    })
    new Gauge({
      name: 'krain_outbox_pending',
      help: 'Chain submissions waiting in the outbox',
      registers: [registry],
      async collect() {
        this.set(await fastify.store.countPendingOutbox())
      },
    })
    new Gauge({
      name: 'krain_mpc_sessions',
      help: 'MPC sessions stored',
      registers: [registry],
      async collect() {
        this.set((await fastify.store.listMpcSessions()).length)
      },
    })
    fastify.decorate('metrics', metrics)
    fastify.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched'
      metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) })
      metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000)
    })
  },
  { name: 'krain-metrics', dependencies: ['krain-store'] },
)
