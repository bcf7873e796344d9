/**
 * @module server
 * Starts the gateway: configuration from the environment (validated), an embedded anvil with the
 * contracts deployed unless `KRAIN_RPC_URL` is set (or `KRAIN_CHAIN=none`), then the Fastify app.
 * SIGINT/SIGTERM close it gracefully. `npm start` and `krain serve` run this.
 *
 * One data directory (`KRAIN_DATA_DIR`, default `./.krain` relative to the directory the command was
 * typed in: npm's `INIT_CWD` for `npm start`, else the working directory) holds the SQLite file and
 * the coordinator key; a lock file refuses a second live gateway on it. The port is checked before
 * anvil starts. `npm start -- --port N --host H --data-dir D` and `krain serve --port N` override the
 * environment.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildGateway } from './app.js'
import type { EmbeddedIdentityContracts } from './chain/embedded.js'
import { loadConfig, type Config } from './config.js'
import { ConfigError } from './errors.js'
import { assertPortFree, choosePortHint, lockDataDir } from './startup-checks.js'

/**
 * The directory relative paths of the configuration are taken from: where the user typed the
 * command (`INIT_CWD`, set by npm, since `npm start` runs in the gateway package's directory).
 */
export function launchDirectory(env: Record<string, string | undefined> = process.env): string {
  return env.INIT_CWD && isAbsolute(env.INIT_CWD) ? env.INIT_CWD : process.cwd()
}

/**
 * Config overrides from the command line of `npm start -- …` (`--port`, `--host`, `--data-dir`, `--db`).
 * @throws {ConfigError} on an unknown option or a bad port
 */
export function overridesFromArgv(argv: string[]): Partial<Config> {
  let values: { port?: string; host?: string; 'data-dir'?: string; db?: string }
  try {
    ;({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, db: { type: 'string' } }, strict: true, allowPositionals: false }))
  } catch (e) {
    throw new ConfigError((e as Error).message, 'options: --port <n> --host <address> --data-dir <dir> --db <sqlite path or postgres:// URL>')
  }
  const out: Partial<Config> = {}
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) throw new ConfigError(`--port: expected 0..65535, got ${JSON.stringify(values.port)}`)
    out.port = Number(values.port)
  }
  if (values.host !== undefined) out.host = values.host
  if (values['data-dir'] !== undefined) out.dataDir = values['data-dir']
  if (values.db !== undefined) out.databaseUrl = values.db
  return out
}

/** A started gateway. */
export type RunningGateway = { app: FastifyInstance; url: string; config: Config; stop: () => Promise<void>; /** The identity contracts of the embedded chain (absent with a configured chain). */ identity?: EmbeddedIdentityContracts }

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
  const base = launchDirectory(env)
  if (!isAbsolute(config.dataDir)) {
    const dataDir = resolve(base, config.dataDir)
    const defaultDb = config.databaseUrl === join(config.dataDir, 'krain.db')
    config = { ...config, dataDir, ...(defaultDb ? { databaseUrl: resolve(dataDir, 'krain.db') } : {}) }
  }
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl) && config.databaseUrl !== ':memory:' && !isAbsolute(config.databaseUrl)) config = { ...config, databaseUrl: resolve(base, config.databaseUrl) }
  await assertPortFree(config.host, config.port)
  const lock = lockDataDir(config.dataDir)
  let stopChain: (() => Promise<void>) | undefined
  try {
    return await startLocked(config, env, log, lock, (s) => (stopChain = s))
  } catch (e) {
    await stopChain?.()
    lock.release()
    throw e
  }
}

async function startLocked(config: Config, env: Record<string, string | undefined>, log: (line: string) => void, lock: ReturnType<typeof lockDataDir>, onChain: (stop: () => Promise<void>) => void): Promise<RunningGateway> {
  let stopChain: (() => Promise<void>) | undefined
  let identity: EmbeddedIdentityContracts | undefined
  let restoreEnv = (): void => undefined
  if (!config.rpcUrl && config.chain !== 'none') {
    log('starting anvil and deploying InferenceRegistry + verifiers…')
    const { startEmbeddedChain } = await import('./chain/embedded.js')
    const chain = await startEmbeddedChain()
    stopChain = chain.stop
    onChain(chain.stop)
    // the embedded anvil's URL is local and public: receipts and /healthz name it, so `krain verify` needs no --rpc
    config = { ...config, rpcUrl: chain.rpcUrl, publicRpcUrl: config.publicRpcUrl ?? chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers }
    log(`anvil at ${chain.rpcUrl}, registry ${chain.registryAddress}`)
    identity = chain.identity
    // the identity plugin reads its group registry from the environment: the embedded one unless one is configured
    if (!process.env.KRAIN_GROUP_REGISTRY_ADDRESS) {
      process.env.KRAIN_GROUP_REGISTRY_ADDRESS = identity.groupRegistry
      restoreEnv = () => void delete process.env.KRAIN_GROUP_REGISTRY_ADDRESS
    }
    log(`identity: GroupRegistry ${identity.groupRegistry}, PolicyRegistry ${identity.policyRegistry}, MembershipVerifier ${identity.verifier} (KRAIN_GROUP_REGISTRY_ADDRESS, KRAIN_POLICY_REGISTRY_ADDRESS, krain group create --verifier)`)
  }
  let app: Awaited<ReturnType<typeof buildGateway>>
  try {
    app = await buildGateway({ config })
  } catch (e) {
    restoreEnv()
    throw e
  }
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (e) {
    await app.close()
    restoreEnv()
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`port ${config.port} on ${config.host} is already in use`, choosePortHint)
    throw e
  }
  const address = app.server.address()
  const url = typeof address === 'object' && address ? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}` : String(address)
  lock.update({ url })
  log(`Krain gateway listening on ${url} (store: ${app.store.kind}${app.store.kind === 'sqlite' ? ` ${config.databaseUrl}` : ''}, data: ${config.dataDir}, docs: ${url}/docs, dashboard: ${url}/ui)`)
  return {
    app,
    url,
    config,
    ...(identity ? { identity } : {}),
    stop: async () => {
      await app.close()
      await stopChain?.()
      restoreEnv()
      lock.release()
    },
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.resolve()
    .then(() => startGateway(process.env, overridesFromArgv(process.argv.slice(2))))
    .then(
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
