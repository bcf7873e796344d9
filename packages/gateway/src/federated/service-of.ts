/**
 * @module federated/service-of
 * The one {@link FederatedService} of a gateway instance, shared by the federated and audit routes
 * (keyed by the instance's store, so two gateways in one process stay apart).
 */
import type { FastifyInstance } from 'fastify'
import { coordinatorKeyOf } from '../config.js'
import { FederatedService } from './federated-service.js'
import type { Store } from '../store/types.js'

const services = new WeakMap<Store, FederatedService>()

/** The federated service of `fastify` (made on first use). */
export function federatedServiceOf(fastify: FastifyInstance): FederatedService {
  let s = services.get(fastify.store)
  if (!s) services.set(fastify.store, (s = new FederatedService({ store: fastify.store, identityKey: coordinatorKeyOf(fastify.config) })))
  return s
}
