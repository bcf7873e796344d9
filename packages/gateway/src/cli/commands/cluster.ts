/**
 * @module cli/commands/cluster
 * `krain cluster up [--db postgres://…] [--gateways 2] [--workers 2] [--concurrency 1]`: a local,
 * ephemeral cluster on this machine for trying the scaled-out setup: a fresh schema on the given
 * PostgreSQL server, anvil with the contracts, gateways on free ports (`KRAIN_JOBS=external` when
 * there are workers) and `krain worker` processes. It prints where everything is and runs until
 * Ctrl-C (or SIGTERM), then stops every process and drops the schema.
 */
import type { Command } from 'commander'
import { usageError } from '../context.js'

const count = (v: string, name: string, min: number): number => {
  if (!/^\d{1,2}$/.test(v) || Number(v) < min || Number(v) > 16) throw usageError(`--${name}: expected an integer in [${min}, 16], got ${JSON.stringify(v)}`)
  return Number(v)
}

/** Register `cluster`. */
export function registerClusterCommands(p: Command): void {
  const cluster = p.command('cluster').description('a local cluster: PostgreSQL schema, anvil, gateways and workers on this machine')
  cluster
    .command('up')
    .description('start an ephemeral local cluster (until Ctrl-C; the schema is dropped on exit)')
    .option('--db <url>', 'PostgreSQL server URL (default DATABASE_URL)')
    .option('--gateways <n>', 'gateway processes', '2')
    .option('--workers <n>', 'worker processes (0: the gateways work the queues themselves)', '2')
    .option('--concurrency <n>', 'jobs each worker takes at once', '1')
    .action(async (o: { db?: string; gateways: string; workers: string; concurrency: string }) => {
      const gateways = count(o.gateways, 'gateways', 1)
      const workers = count(o.workers, 'workers', 0)
      const concurrency = count(o.concurrency, 'concurrency', 1)
      const { startCluster } = await import('../../worker/local-cluster.js')
      process.stderr.write(`starting ${gateways} gateway(s), ${workers} worker(s), anvil…\n`)
      const c = await startCluster({ databaseUrl: o.db ?? process.env.DATABASE_URL ?? '', gateways, workers, concurrency })
      process.stdout.write(
        [
          `schema    ${c.schema} (queues: ${c.queueSchema})`,
          `chain     ${c.chain.rpcUrl} registry ${c.chain.registryAddress}`,
          ...c.gateways.map((g, i) => `gateway ${i + 1} ${g.url} (pid ${g.pid})`),
          ...c.workers.map((w, i) => `worker ${i + 1}  pid ${w.pid} queues ${w.queues.join(',')}`),
          'Ctrl-C stops everything and drops the schema.',
          '',
        ].join('\n'),
      )
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await c.stop()
      process.exit(0)
    })
}
