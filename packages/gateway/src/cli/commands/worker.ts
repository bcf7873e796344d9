/**
 * @module cli/commands/worker
 * `krain worker --queues prove,chain,build [--concurrency N]`: a worker process of a cluster. It takes
 * proof jobs, chain submissions and circuit builds (`build`: compile and set up a registered model's
 * circuit into the shared circuit cache, then deploy its verifier) from the pg-boss queues in the PostgreSQL of `DATABASE_URL`
 * (the gateways', with `KRAIN_QUEUE_SCHEMA`), proves with the gateway's prover and submits with
 * the chain configuration of the same environment (`KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`,
 * `KRAIN_REGISTRY_ADDRESS`, `KRAIN_VERIFIERS`). SIGTERM/SIGINT finish the proofs in flight and exit 0.
 */
import type { Command } from 'commander'

/** Register `worker`. */
export function registerWorkerCommands(p: Command): void {
  p.command('worker')
    .description('work the cluster job queues (pg-boss in DATABASE_URL): prove, submit to the chain, build circuits; gateways started with KRAIN_JOBS=external only enqueue')
    .option('--queues <list>', 'comma-separated queues: prove, chain, build (encrypted inference is request/response on the gateways, not a queue)', 'prove,chain')
    .option('--concurrency <n>', 'jobs of each queue at once (and prover threads)', '1')
    .action(async (o: { queues: string; concurrency: string }) => {
      const { runWorkerProcess } = await import('../../worker/main.js')
      process.exitCode = await runWorkerProcess(['--queues', o.queues, '--concurrency', o.concurrency])
      process.exit()
    })
}
