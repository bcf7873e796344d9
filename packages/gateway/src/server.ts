/**
 * @module server
 * Starts the gateway: configuration from the environment (validated), an embedded anvil with the
 * contracts deployed unless `KRAIN_RPC_URL` is set (or `KRAIN_CHAIN=none`), then the Fastify app.
 * SIGINT/SIGTERM close it gracefully. `npm start` and `krain serve` run this.
 */
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildGateway } from './app.js'
import { loadConfig, type Config } from './config.js'

/** A started gateway. */
export type RunningGateway = { app: FastifyInstance; url: string; config: Config; stop: () => Promise<void> }

/**
 * Start a gateway from the environment.
 * @param env - environment variables (default `process.env`)
 * @param overrides - config values that win over the environment
 * @param log - progress lines (default: stderr)
 * @returns the running gateway and its URL
 * @throws ConfigError on invalid configuration
 */
export async function startGateway(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningGateway> {
  let config = loadConfig(env, overrides)
  let stopChain: (() => Promise<void>) | undefined
  if (!config.rpcUrl && env.KRAIN_CHAIN !== 'none') {
    log('starting anvil and deploying InferenceRegistry + verifiers…')
    const { startEmbeddedChain } = await import('./chain/embedded.js')
    const chain = await startEmbeddedChain()
    stopChain = chain.stop
    config = { ...config, rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: JSON.stringify(chain.verifiers) }
    log(`anvil at ${chain.rpcUrl}, registry ${chain.registryAddress}`)
  }
  let app: FastifyInstance
  try {
    app = await buildGateway({ config })
    await app.listen({ host: config.host, port: config.port })
  } catch (e) {
    await stopChain?.()
    throw e
  }
  const address = app.server.address()
  const url = typeof address === 'object' && address ? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}` : String(address)
  log(`Krain gateway listening on ${url} (store: ${app.store.kind}, docs: ${url}/docs)`)
  return {
    app,
    url,
    config,
    stop: async () => {
      await app.close()
      await stopChain?.()
    },
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  startGateway().then(
    (g) => {
      const shutdown = (): void => {
        g.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        )
      }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
    },
    (e: unknown) => {
      const err = e as { shortMessage?: string; details?: string; message?: string }
      process.stderr.write(`krain: cannot start the gateway: ${err.shortMessage ?? err.message}${err.details ? `\n  ${err.details}` : ''}\n`)
      process.exit(1)
    },
  )
}
