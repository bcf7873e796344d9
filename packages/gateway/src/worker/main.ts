/**
 * @module worker/main
 * The worker process entry: `node src/worker/main.ts --queues prove,chain,build --concurrency 2` (what
 * `krain worker` runs). SIGTERM/SIGINT stop it cleanly (exit 0); a configuration error exits 1.
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ConfigError } from '../errors.js'
import type { QueueName } from '../jobs/queue.js'
import { defaultWorkerQueues, startWorker, workerQueues } from './run-worker.js'

/**
 * The worker's options from its command line.
 * @throws {ConfigError} on an unknown option, queue or a bad concurrency
 */
export function workerArgs(argv: string[]): { queues: QueueName[]; concurrency: number } {
  let values: { queues?: string; concurrency?: string }
  try {
    ;({ values } = parseArgs({ args: argv, options: { queues: { type: 'string' }, concurrency: { type: 'string' } }, strict: true, allowPositionals: false }))
  } catch (e) {
    throw new ConfigError((e as Error).message, 'options: --queues prove,chain,build --concurrency <n>')
  }
  const queues = (values.queues ?? defaultWorkerQueues.join(',')).split(',').map((q) => q.trim()).filter(Boolean)
  for (const q of queues) if (!(workerQueues as readonly string[]).includes(q)) throw new ConfigError(`--queues: unknown queue ${JSON.stringify(q)}`, `queues: ${workerQueues.join(', ')}`)
  if (queues.length === 0) throw new ConfigError('--queues: name at least one queue', `queues: ${workerQueues.join(', ')}`)
  const c = values.concurrency ?? '1'
  if (!/^\d{1,2}$/.test(c) || Number(c) < 1 || Number(c) > 64) throw new ConfigError(`--concurrency: expected an integer in [1, 64], got ${JSON.stringify(c)}`)
  return { queues: queues as QueueName[], concurrency: Number(c) }
}

/** Run a worker until SIGTERM/SIGINT; resolves with the exit code. */
export async function runWorkerProcess(argv: string[]): Promise<number> {
  let worker
  try {
    worker = await startWorker(workerArgs(argv))
  } catch (e) {
    const err = e as { shortMessage?: string; details?: string; message?: string }
    process.stderr.write(`krain: cannot start the worker: ${err.shortMessage ?? err.message}${err.details ? `\n  ${err.details}` : ''}\n`)
    return 1
  }
  const w = worker
  return new Promise<number>((resolve) => {
    const shutdown = (): void => {
      w.stop().then(
        () => resolve(0),
        () => resolve(1),
      )
    }
    process.once('SIGINT', shutdown)
    process.once('SIGTERM', shutdown)
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void runWorkerProcess(process.argv.slice(2)).then((code) => process.exit(code))
}
