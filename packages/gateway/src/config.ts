/**
 * @module config
 * The gateway's configuration, read from environment variables and validated at startup with a
 * TypeBox schema: a bad value stops the process with a message naming the variable.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ChainError, chainConfigFromEnv, type ChainConfig } from '@krain/chain'
import { ConfigError } from './errors.js'

/** Validated configuration of one gateway process. */
export const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** `postgres://…` for PostgreSQL, otherwise a SQLite file path (`:memory:` allowed). */
  databaseUrl: Type.String({ minLength: 1 }),
  /**
   * The chain: `KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`, `KRAIN_REGISTRY_ADDRESS` and `KRAIN_VERIFIERS` are
   * parsed by `@krain/chain`'s `chainConfigFromEnv` (one parser); without an RPC URL the server
   * starts the embedded chain (anvil with the contracts deployed) unless `chain` is `none`.
   */
  chain: Type.Union([Type.Literal('embedded'), Type.Literal('none')]),
  /** EVM JSON-RPC URL; when absent the server starts anvil and deploys the contracts. */
  rpcUrl: Type.Optional(Type.String({ pattern: '^(https?|wss?)://' })),
  /** Hex private key that signs chain transactions (required with `rpcUrl`). */
  privateKey: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' })),
  /** Address of a deployed `InferenceRegistry` (required with `rpcUrl`). */
  registryAddress: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' })),
  /** Verifier addresses by circuit (`{"inference_logistic":"0x…"}`), to register new models on an existing registry. */
  verifiers: Type.Optional(Type.Record(Type.String(), Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }))),
  /** JSON policy file (roles and attribute rules); without one, the development policy applies. */
  policyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Hex secp256k1 key the MPC coordinator signs rosters and contributor sets with (default: a key generated once into `dataDir`, never the chain key). */
  coordinatorKey: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' })),
  /** Directory for local state (SQLite file, generated coordinator key). */
  dataDir: Type.String({ minLength: 1 }),
  /** Address given the admin role by the development policy. */
  adminAddress: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' })),
  sessionTtlSeconds: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 }),
  /** Default request body limit in bytes (bulk routes have their own, larger limits). */
  bodyLimit: Type.Integer({ minimum: 1024, maximum: 1 << 30 }),
  /** Largest body for bulk uploads (evaluation keys, ciphertext batches, share sets). */
  bulkBodyLimit: Type.Integer({ minimum: 1024, maximum: 1 << 30 }),
  /** Requests per minute per identity (wallet address, or IP when anonymous). */
  rateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  /** Worker threads for heavy cryptography. */
  workers: Type.Integer({ minimum: 1, maximum: 64 }),
  /** SIWE domain that sign-in messages must name. */
  domain: Type.String({ minLength: 1 }),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
  /** Milliseconds between outbox passes (chain submission retries back off from this). */
  outboxIntervalMs: Type.Integer({ minimum: 10, maximum: 600_000 }),
  /**
   * Which proxies to trust for the client IP (`X-Forwarded-For`), so clients behind a proxy do not
   * share one rate-limit bucket: `false` (default: the socket's address), `true` (any), a hop
   * count, or a comma-separated list of proxy addresses/CIDRs.
   */
  trustProxy: Type.String({ pattern: '^(true|false|[0-9]{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$', maxLength: 2000 }),
  /** Body limit of anonymous requests, checked on `Content-Length` before the body is read. */
  anonymousBodyLimit: Type.Integer({ minimum: 256, maximum: 1 << 30 }),
  /** Log lines: `pretty` (short human lines), `json` (one JSON object per line), `auto` (pretty on a TTY, JSON when piped). */
  logFormat: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')]),
  /** JSON-RPC URL receipts and `GET /v1/chain` name as where to check them (never the signing RPC unless set; the embedded anvil's own). */
  publicRpcUrl: Type.Optional(Type.String({ pattern: '^(https?|wss?)://' })),
  /** Seconds an uploaded evaluation-key bundle is kept; expired bundles are deleted. */
  keyBundleTtlSeconds: Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600 }),
  /**
   * Where proof jobs and chain submissions run: `auto` (default: through the pg-boss queues with a
   * PostgreSQL `DATABASE_URL`, worked by this process too; in process with SQLite), `embedded` (in
   * process, even on PostgreSQL), `external` (PostgreSQL only: this gateway only enqueues; `krain
   * worker` processes prove and submit).
   */
  jobs: Type.Union([Type.Literal('auto'), Type.Literal('embedded'), Type.Literal('external')]),
  /**
   * PostgreSQL schema of the pg-boss queues (default: `pgboss`, or `<schema>_pgboss` when
   * `DATABASE_URL` selects a schema with `options=-c search_path=<schema>`, so two deployments in one
   * database never take each other's jobs).
   */
  queueSchema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  /** Seconds a proof job may stay active before pg-boss takes it as lost (a killed worker) and retries it. */
  proveTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 6 * 3600 }),
  /** Seconds without a heartbeat after which a queued circuit build is taken as lost and redelivered (default: `proveTimeoutSeconds`). */
  buildTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 6 * 3600 })),
  /** Seconds a queued chain submission may stay active before it is taken as lost (its worker died) and redelivered (default 300). */
  chainTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 6 * 3600 })),
  /** Attempts of a queued job after its first (then it goes to the dead-letter queue `krain.dead`). */
  queueRetryLimit: Type.Integer({ minimum: 0, maximum: 100 }),
  /** Seconds between pg-boss maintenance passes (expiring the jobs of killed workers, archiving). */
  queueMaintenanceSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
})

/** Configuration of one gateway process. */
export type Config = Static<typeof ConfigSchema>

/** Environment variables read by {@link loadConfig}, with their defaults (the chain's own are in {@link chainVariables}). */
export const envVariables = {
  KRAIN_HOST: ['host', '127.0.0.1'],
  KRAIN_PORT: ['port', '8787'],
  DATABASE_URL: ['databaseUrl', undefined],
  KRAIN_CHAIN: ['chain', 'embedded'],
  KRAIN_POLICY_FILE: ['policyFile', undefined],
  KRAIN_ADMIN_ADDRESS: ['adminAddress', undefined],
  KRAIN_COORDINATOR_KEY: ['coordinatorKey', undefined],
  KRAIN_DATA_DIR: ['dataDir', '.krain'],
  KRAIN_SESSION_TTL: ['sessionTtlSeconds', '3600'],
  KRAIN_BODY_LIMIT: ['bodyLimit', String(1 << 20)],
  KRAIN_BULK_BODY_LIMIT: ['bulkBodyLimit', String(256 << 20)],
  KRAIN_RATE_LIMIT: ['rateLimitPerMinute', '1200'],
  KRAIN_WORKERS: ['workers', '1'],
  KRAIN_DOMAIN: ['domain', 'localhost'],
  KRAIN_LOG_LEVEL: ['logLevel', 'info'],
  KRAIN_OUTBOX_INTERVAL_MS: ['outboxIntervalMs', '1000'],
  KRAIN_TRUST_PROXY: ['trustProxy', 'false'],
  KRAIN_ANONYMOUS_BODY_LIMIT: ['anonymousBodyLimit', String(64 << 10)],
  KRAIN_LOG_FORMAT: ['logFormat', 'auto'],
  KRAIN_PUBLIC_RPC_URL: ['publicRpcUrl', undefined],
  KRAIN_KEY_BUNDLE_TTL: ['keyBundleTtlSeconds', String(24 * 3600)],
  KRAIN_JOBS: ['jobs', 'auto'],
  KRAIN_QUEUE_SCHEMA: ['queueSchema', undefined],
  KRAIN_PROVE_TIMEOUT: ['proveTimeoutSeconds', '600'],
  KRAIN_BUILD_TIMEOUT: ['buildTimeoutSeconds', undefined],
  KRAIN_CHAIN_TIMEOUT: ['chainTimeoutSeconds', undefined],
  KRAIN_QUEUE_RETRIES: ['queueRetryLimit', '3'],
  KRAIN_QUEUE_MAINTENANCE: ['queueMaintenanceSeconds', '30'],
} as const satisfies Record<string, readonly [keyof Config, string | undefined]>

/** The chain's variables, parsed by `@krain/chain` ({@link chainConfigFromEnv}). */
export const chainVariables = { KRAIN_RPC_URL: 'rpcUrl', KRAIN_PRIVATE_KEY: 'privateKey', KRAIN_REGISTRY_ADDRESS: 'registryAddress', KRAIN_VERIFIERS: 'verifiers' } as const satisfies Record<string, keyof ChainConfig>

const numeric = new Set<keyof Config>(['port', 'sessionTtlSeconds', 'bodyLimit', 'bulkBodyLimit', 'rateLimitPerMinute', 'workers', 'outboxIntervalMs', 'anonymousBodyLimit', 'keyBundleTtlSeconds', 'proveTimeoutSeconds', 'buildTimeoutSeconds', 'chainTimeoutSeconds', 'queueRetryLimit', 'queueMaintenanceSeconds'])

/**
 * Read and validate the configuration from environment variables, then apply `overrides`.
 * @param env - the environment (defaults to `process.env`)
 * @param overrides - values that win over the environment (tests, the CLI's flags)
 * @returns the validated configuration
 * @throws {ConfigError} naming every invalid variable
 * @example
 * ```ts
 * const config = loadConfig({ KRAIN_PORT: '0', DATABASE_URL: ':memory:' })
 * ```
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {}
  const byKey = new Map<string, string>()
  for (const [name, [key, fallback]] of Object.entries(envVariables)) {
    byKey.set(key, name)
    const value = env[name] === undefined || env[name] === '' ? fallback : env[name]
    if (value === undefined) continue
    raw[key] = numeric.has(key) && /^-?\d+$/.test(value) ? Number(value) : value
  }
  for (const [name, key] of Object.entries(chainVariables)) byKey.set(key, name)
  const chainProblems: string[] = []
  try {
    Object.assign(raw, chainConfigFromEnv(env))
  } catch (e) {
    if (!(e instanceof ChainError)) throw e
    chainProblems.push(e.shortMessage)
  }
  const merged: Record<string, unknown> = { ...raw, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) }
  if (merged.databaseUrl === undefined && typeof merged.dataDir === 'string') merged.databaseUrl = join(merged.dataDir, 'krain.db')
  if (chainProblems.length > 0 || !Value.Check(ConfigSchema, merged)) {
    const problems = [...Value.Errors(ConfigSchema, merged)].map((e) => {
      const key = e.instancePath.replace(/^\//, '').split('/')[0] || String((e.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? '')
      return `${byKey.get(key) ?? key}: ${e.message}`
    })
    throw new ConfigError('invalid configuration', [...chainProblems, ...problems].join('; '))
  }
  const config = merged as Config
  if (config.rpcUrl !== undefined && (config.privateKey === undefined || config.registryAddress === undefined)) {
    throw new ConfigError('invalid configuration', 'KRAIN_RPC_URL needs KRAIN_PRIVATE_KEY and KRAIN_REGISTRY_ADDRESS')
  }
  return config
}

/**
 * The chain part of a configuration, for `@krain/chain`'s `connectChain`, or `null` when no chain
 * is configured (no RPC URL, key or registry).
 */
export function chainConfigOf(config: Config): (ChainConfig & Required<Pick<ChainConfig, 'rpcUrl' | 'privateKey' | 'registryAddress'>>) | null {
  const { rpcUrl, privateKey, registryAddress, verifiers } = config
  if (!rpcUrl || !privateKey || !registryAddress) return null
  return { rpcUrl, privateKey: hexOf(privateKey), registryAddress: hexOf(registryAddress), ...(verifiers ? { verifiers: Object.fromEntries(Object.entries(verifiers).map(([c, a]) => [c, hexOf(a)])) } : {}) }
}

/** A string the schema checked to be 0x-hex. */
const hexOf = (s: string): `0x${string}` => {
  if (!s.startsWith('0x')) throw new ConfigError(`expected 0x-hex, got ${JSON.stringify(s.slice(0, 12))}`)
  return `0x${s.slice(2)}`
}

/** Fastify's `trustProxy` option from {@link Config.trustProxy}. */
export function trustProxyOption(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true
  if (value === 'false') return false
  if (/^[0-9]{1,2}$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return value.split(',')
}

/**
 * The MPC coordinator's signing key: `coordinatorKey`, else a key generated once per installation
 * into `<dataDir>/coordinator.key` (mode 0600, directory 0700). Never the chain key (with the
 * embedded chain that is anvil's public dev key #0), and never written to the store.
 */
export function coordinatorKeyOf(config: Config): `0x${string}` {
  if (config.coordinatorKey) return hexOf(config.coordinatorKey)
  const file = join(config.dataDir, 'coordinator.key')
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim()
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError(`invalid coordinator key file ${file}`, 'expected 0x and 64 hex digits; delete the file to generate a new key')
    chmodSync(file, 0o600)
    return hexOf(key)
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const key = `0x${randomBytes(32).toString('hex')}` as const
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
  return key
}
