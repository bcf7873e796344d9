/**
 * @module plugins/app/mpc
 * Decorates `fastify.mpc` (the {@link MpcService}) with the coordinator key from the config.
 */
import fp from 'fastify-plugin'
import { coordinatorKeyOf } from '../../config.js'
import { MpcService } from '../../mpc/mpc-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    mpc: MpcService
  }
}

/** Register the MPC coordinator service. */
export const mpcPlugin = fp(
  async (fastify) => {
    fastify.decorate('mpc', new MpcService({ store: fastify.store, identityKey: coordinatorKeyOf(fastify.config), metrics: fastify.metrics }))
  },
  { name: 'krain-mpc', dependencies: ['krain-store', 'krain-metrics'] },
)
