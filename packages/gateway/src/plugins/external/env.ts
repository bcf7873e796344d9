/**
 * @module plugins/external/env
 * Decorates the instance with the validated {@link Config} (validated once, at startup, by
 * `loadConfig`; this plugin only makes it available as `fastify.config`).
 */
import fp from 'fastify-plugin'
import type { Config } from '../../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

/** Make `config` available to every plugin and route. */
export const envPlugin = fp<{ config: Config }>(
  async (fastify, { config }) => {
    fastify.decorate('config', config)
  },
  { name: 'krain-env' },
)
