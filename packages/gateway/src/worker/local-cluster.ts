/**
 * @module worker/local-cluster
 * A local Krain cluster (what `krain cluster up`, the tests and the cluster benchmark start): one
 * PostgreSQL schema (on the server of the given URL), one anvil with the contracts deployed, N gateway child processes on
 * free ports (the real server entry, `src/server.ts`) and M worker child processes (the real worker
 * entry, `src/worker/main.ts`, what `krain worker` runs). Every process has a SIGKILL handle.
 *
 * Gateways start with `KRAIN_JOBS=external` when the cluster has workers (they only enqueue), else
 * with the default (`auto`: on PostgreSQL they work the pg-boss queues themselves). The store's
 * migrations and the pg-boss schema are installed once before any process starts, so the children
 * never race on them.
 *
 * `tests/helpers/cluster.ts` re-exports this module for the tests: keep its API stable.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { createServer } from 'node:net'
import { startEmbeddedChain, type EmbeddedChain } from '../chain/embedded.js'
import { installQueueSchema } from '../jobs/pg-boss-queue.js'
import { ConfigError } from '../errors.js'
import { openStore } from '../store/sql-store.js'

const workerEntry = fileURLToPath(new URL('./main.ts', import.meta.url))
const serverEntry = fileURLToPath(new URL('../server.ts', import.meta.url))
const pkgDir = fileURLToPath(new URL('../..', import.meta.url))

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Spawn a TypeScript entry of this package (`node --conditions=source --import tsx …`), its stderr kept. */
function spawnEntry(entry: string, args: string[], env: Record<string, string>, ready: RegExp, what: string): Promise<{ child: ChildProcess; stderr: () => string; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, ...args], { cwd: pkgDir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString()
    if (err.length > 4 << 20) err = err.slice(-(2 << 20))
  })
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = ready.exec(err)
      if (m) {
        child.stderr!.off('data', onData)
        child.off('exit', onExit)
        resolve({ child, stderr: () => err, match: m })
      }
    }
    const onExit = (code: number | null): void => reject(new Error(`${what} exited with ${code}: ${err.slice(-4000)}`))
    child.stderr!.on('data', onData)
    child.once('exit', onExit)
  })
}

/** Options of {@link startCluster}. */
export type ClusterOptions = {
  /** PostgreSQL server URL (a fresh schema is made on it; default `KRAIN_TEST_DATABASE_URL`). */
  databaseUrl?: string
  /** Schema name (default a fresh `krain_cluster_<random>`); dropped by `stop()`. */
  schema?: string
  /** Gateway processes (default 2). */
  gateways?: number
  /** Worker processes (default 2). */
  workers?: number
  /** Queues the workers work (default `['prove', 'chain', 'build']`). */
  queues?: string[]
  /** Jobs each worker takes at once (default 1). */
  concurrency?: number
  /** Extra environment of every gateway (e.g. a shared `KRAIN_COORDINATOR_KEY`). */
  gatewayEnv?: Record<string, string>
  /** Extra environment of every worker. */
  workerEnv?: Record<string, string>
}

/** A child process of the cluster. */
export type ClusterProcess = {
  child: ChildProcess
  pid: number
  /** Everything it wrote to stderr so far. */
  stderr: () => string
  /** SIGKILL it (kill -9) and wait for it to be gone. */
  kill: () => Promise<void>
  /** SIGTERM it and wait for its exit code (or the signal's name when it died of one). */
  terminate: () => Promise<number | string>
}

/** A gateway of the cluster. */
export type ClusterGateway = ClusterProcess & { url: string; port: number; dataDir: string }

/** A worker of the cluster. */
export type ClusterWorker = ClusterProcess & { queues: string[] }

/** A running cluster. */
export type Cluster = {
  /** The PostgreSQL schema of this cluster (store tables); pg-boss lives in `<schema>_boss`. */
  schema: string
  queueSchema: string
  /** The store URL every process uses (the schema is selected through the connection's search_path). */
  databaseUrl: string
  chain: EmbeddedChain
  /** The environment shared by every gateway and worker (store, queue schema, chain). */
  env: Record<string, string>
  gateways: ClusterGateway[]
  workers: ClusterWorker[]
  /** Start one more gateway (its own data dir, a free port). */
  startGateway: (env?: Record<string, string>) => Promise<ClusterGateway>
  /** Start one more worker. */
  startWorker: (opts?: { queues?: string[]; concurrency?: number; env?: Record<string, string> }) => Promise<ClusterWorker>
  /** Kill every process, stop anvil, drop the schemas. */
  stop: () => Promise<void>
}

/** The store URL for `schema` on the server of `serverUrl` (search_path set per connection). */
export function schemaUrl(serverUrl: string, schema: string): string {
  const u = new URL(serverUrl)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

async function onServer<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

function handles(child: ChildProcess, stderr: () => string): ClusterProcess {
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null
  const exited = (): Promise<number | string> => (gone() ? Promise.resolve(child.exitCode ?? child.signalCode ?? 0) : new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 0))))
  return {
    child,
    pid: child.pid!,
    stderr,
    kill: async () => {
      if (gone()) return
      const done = exited()
      child.kill('SIGKILL')
      await done
    },
    terminate: async () => {
      if (gone()) return exited()
      const done = exited()
      child.kill('SIGTERM')
      return done
    },
  }
}

/**
 * Spawn a worker process (`src/worker/main.ts`) and wait until it says it is working.
 * @returns its handles
 */
export async function spawnWorker({ env, queues = ['prove', 'chain', 'build'], concurrency = 1 }: { env: Record<string, string>; queues?: string[]; concurrency?: number }): Promise<ClusterWorker> {
  const { child, stderr } = await spawnEntry(workerEntry, ['--queues', queues.join(','), '--concurrency', String(concurrency)], { KRAIN_LOG_LEVEL: 'info', KRAIN_LOG_FORMAT: 'json', ...env }, /krain worker ready/, 'worker')
  return { ...handles(child, stderr), queues }
}

/**
 * Start a cluster: a schema, anvil, gateways and workers.
 * @returns the cluster; call `stop()` when done (also after a failed test)
 * @throws {ConfigError} when `databaseUrl` (or `KRAIN_TEST_DATABASE_URL`) is not a PostgreSQL URL; an Error when a process does not start
 * @example
 * ```ts
 * const cluster = await startCluster({ gateways: 2, workers: 2 })
 * try { await fetch(`${cluster.gateways[0]!.url}/healthz`) } finally { await cluster.stop() }
 * ```
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const server = options.databaseUrl ?? process.env.KRAIN_TEST_DATABASE_URL
  if (!server || !/^postgres(ql)?:\/\//.test(server)) throw new ConfigError('a local cluster needs a PostgreSQL server URL', 'pass --db postgres://… (or DATABASE_URL); tests use KRAIN_TEST_DATABASE_URL (`source .ci/postgres.sh`)')
  const schema = options.schema ?? `krain_cluster_${randomBytes(5).toString('hex')}`
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new RangeError(`"schema" expected a lower-case SQL name of at most 41 characters, got ${JSON.stringify(schema)}`)
  const queueSchema = `${schema}_boss`
  const databaseUrl = schemaUrl(server, schema)
  // migrations once, before any child (they would serialise on an advisory lock anyway)
  const store = await openStore(server, { schema })
  await store.close()
  await installQueueSchema({ databaseUrl, schema: queueSchema })

  const chain = await startEmbeddedChain()
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    KRAIN_QUEUE_SCHEMA: queueSchema,
    KRAIN_RPC_URL: chain.rpcUrl,
    KRAIN_PUBLIC_RPC_URL: chain.rpcUrl,
    KRAIN_PRIVATE_KEY: chain.privateKey,
    KRAIN_REGISTRY_ADDRESS: chain.registryAddress,
    KRAIN_VERIFIERS: JSON.stringify(chain.verifiers),
  }
  const dirs: string[] = []
  const gateways: ClusterGateway[] = []
  const workers: ClusterWorker[] = []
  const withWorkers = (options.workers ?? 2) > 0

  const startGateway = async (extra: Record<string, string> = {}): Promise<ClusterGateway> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'krain-cluster-gw-'))
    dirs.push(dataDir)
    const port = await freePort()
    const gEnv = { KRAIN_LOG_LEVEL: 'warn', ...env, ...(withWorkers ? { KRAIN_JOBS: 'external' } : {}), KRAIN_PORT: String(port), KRAIN_DATA_DIR: dataDir, ...options.gatewayEnv, ...extra }
    const g = await spawnEntry(serverEntry, [], gEnv, /listening on (http:\/\/\S+)/, 'gateway')
    const gw: ClusterGateway = { ...handles(g.child, g.stderr), url: g.match[1]!, port, dataDir }
    gateways.push(gw)
    return gw
  }
  const startWorker = async (opts: { queues?: string[]; concurrency?: number; env?: Record<string, string> } = {}): Promise<ClusterWorker> => {
    const w = await spawnWorker({ env: { ...env, ...options.workerEnv, ...opts.env }, queues: opts.queues ?? options.queues ?? ['prove', 'chain', 'build'], concurrency: opts.concurrency ?? options.concurrency ?? 1 })
    workers.push(w)
    return w
  }

  const stop = async (): Promise<void> => {
    await Promise.allSettled([...gateways, ...workers].map((p) => p.kill()))
    await chain.stop().catch(() => undefined)
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await onServer(server, async (c) => {
      await c.query(`DROP SCHEMA IF EXISTS "${queueSchema}" CASCADE`)
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    }).catch(() => undefined)
  }

  try {
    // all at once: the schemas are installed, nothing races
    await Promise.all([...Array.from({ length: options.gateways ?? 2 }, () => startGateway()), ...Array.from({ length: options.workers ?? 2 }, () => startWorker())])
  } catch (e) {
    await stop()
    throw e
  }
  return { schema, queueSchema, databaseUrl, chain, env, gateways, workers, startGateway, startWorker, stop }
}
