/**
 * @module cli/commands/models-batch
 * `krain models prove-batch <modelId> --csv rows.csv | --json rows.json`: k rows of a model in one
 * proof and one registry transaction (`POST /v1/models/:id/prove-batch`). Shows the job's states
 * and the batch circuit's build phases while it builds and proves, then prints each row's label,
 * the transaction, its gas (and per row) and the record id. Only the light HTTP client is loaded.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { JobInfo } from '@krain/client'
import { GatewayError } from '../../errors.js'
import { contextOf, inputError, inputRows, out, readInput, usageError } from '../context.js'
import { progress } from '../progress.js'

/**
 * Feature rows from CSV text: one row per line, a header line (any non-number cell) skipped.
 * @throws {GatewayError} `CLI_INPUT` naming the line of a cell that is not a number, or a ragged row
 */
export function readRowsCsv(text: string, option = '--csv'): number[][] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '')
  const rows = lines.map(({ l, n }) => ({ n, r: l.split(',').map((v) => (v.trim() === '' ? NaN : Number(v.trim()))) }))
  if (rows.length && rows[0]!.r.some((v) => !Number.isFinite(v))) rows.shift()
  if (rows.length === 0) throw inputError(`${option}: expected CSV rows of numbers, got none`)
  for (const { n, r } of rows) {
    const bad = r.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw inputError(`${option}: line ${n}, column ${bad + 1} is not a number`)
    if (r.length !== rows[0]!.r.length) throw inputError(`${option}: line ${n} has ${r.length} cells, the first row ${rows[0]!.r.length}`)
  }
  return rows.map(({ r }) => r)
}

/** Register `models prove-batch` (on the `models` command of `p`, which must exist). */
export function registerModelsBatchCommands(p: Command): void {
  const ctx = contextOf(p)
  const models = p.commands.find((c) => c.name() === 'models') ?? p.command('models').description('models')
  models
    .command('prove-batch <modelId>')
    .description('prove k rows (1..31) of a model with a generated circuit in one proof, recorded by one registry transaction; follows the batch circuit build and the job, prints per-row labels, the tx and its gas')
    .option('--csv <file>', 'feature rows as CSV (a header line is skipped)')
    .option('--json <json|file>', "feature rows as JSON: inline ('[[1,2],[3,4]]') or a file")
    .option('--no-wait', 'print the job and return')
    .action(async (modelId: string, o: { csv?: string; json?: string; wait: boolean }) => {
      if ((o.csv === undefined) === (o.json === undefined)) throw usageError('pass exactly one of --csv FILE and --json ROWS')
      let inputs: number[][]
      if (o.csv !== undefined) {
        let text: string
        try {
          text = readFileSync(o.csv, 'utf8')
        } catch (e) {
          throw inputError(`--csv: cannot read ${o.csv}: ${(e as Error).message}`)
        }
        inputs = readRowsCsv(text)
      } else inputs = inputRows(readInput(o.json!, '--json'), '--json')
      const http = await ctx.http()
      const job = await http.request<JobInfo>('POST', `/v1/models/${encodeURIComponent(modelId)}/prove-batch`, { body: { inputs } })
      if (!o.wait) return out(job)
      const bar = progress(`batch of ${inputs.length} (job ${job.id})`)
      let last = ''
      let done: JobInfo
      for (;;) {
        done = await http.request<JobInfo>('GET', `/v1/jobs/${encodeURIComponent(job.id)}`, { query: { waitMs: 1000, until: 'confirmed' } })
        const b = done.batch
        const label = `${done.state}${b?.phase && b.phase !== done.state ? ` · ${b.phase}` : ''}${b?.message && done.state === 'proving' ? `: ${b.message}` : ''}`
        if (label !== last) bar.step((last = label))
        if (done.state === 'confirmed' || done.state === 'failed') break
      }
      if (done.state !== 'confirmed') {
        bar.fail()
        throw new GatewayError(done.error?.code ?? 'JOB_NOT_CONFIRMED', { shortMessage: done.error?.message ?? `job ${job.id} is ${done.state}` })
      }
      const b = done.batch!
      const gas = b.receipt?.gasUsed
      bar.done(`confirmed in block ${b.receipt?.blockNumber ?? '?'} (tx ${done.txHash}${gas ? `, ${gas} gas, ${Math.round(Number(gas) / b.size)} per row` : ''})`)
      out({
        jobId: done.id,
        modelId,
        rows: b.size,
        labels: (b.outputs ?? []).map(Number),
        circuit: b.circuit,
        constraints: b.constraints,
        modelCommitment: b.modelCommitment,
        batchCommitment: b.batchCommitment,
        recordId: b.recordId,
        txHash: done.txHash,
        blockNumber: b.receipt?.blockNumber,
        chainId: b.receipt?.chainId,
        registry: b.receipt?.registry,
        gasUsed: gas ?? null,
        gasPerRow: gas ? Math.round(Number(gas) / b.size) : null,
      })
    })
}
