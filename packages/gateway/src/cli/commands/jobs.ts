/**
 * @module cli/commands/jobs
 * `krain jobs list|show|receipt`: my proven-inference jobs, one job (its state, error, proof
 * fields), and the receipt of a confirmed one. Only the light HTTP client is loaded.
 */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { JobInfo, ProvenInferenceReceipt } from '@krain/client'
import { contextOf, out } from '../context.js'

/** A job's timestamps as local times, its proof abbreviated. */
const readable = (j: JobInfo & { createdAt?: number; updatedAt?: number }): Record<string, unknown> => ({
  ...j,
  ...(j.createdAt ? { created: new Date(j.createdAt).toLocaleString() } : {}),
  ...(j.updatedAt ? { updated: new Date(j.updatedAt).toLocaleString() } : {}),
  ...(j.result ? { result: { ...j.result, proof: j.result.proof ? 'present (krain jobs receipt ID prints it)' : null } } : {}),
})

/** Register `jobs`. */
export function registerJobsCommands(p: Command): void {
  const ctx = contextOf(p)
  const jobs = p.command('jobs').description('proven-inference jobs (yours)')
  jobs
    .command('list')
    .description('my jobs, newest first: id, state, model, transaction')
    .option('--limit <n>', 'at most this many', '20')
    .option('--all', "every owner's jobs (admin)")
    .action(async (o: { limit: string; all?: boolean }) => {
      const http = await ctx.http()
      const list = await http.request<{ id: string; kind: string; state: string; modelId: string | null; createdAt: number; txHash: string | null; error: { code: string } | null }[]>('GET', '/v1/jobs', { query: { limit: o.limit, ...(o.all ? { all: 'true' } : {}) } })
      out(list.map((j) => ({ id: j.id, state: j.state, kind: j.kind, modelId: j.modelId, created: new Date(j.createdAt).toLocaleString(), txHash: j.txHash, ...(j.error ? { error: j.error.code } : {}) })))
    })
  jobs
    .command('show <jobId>')
    .description("a job's state, error and result (times as local times)")
    .action(async (id: string) => out(readable(await (await ctx.http()).request<JobInfo>('GET', `/v1/jobs/${encodeURIComponent(id)}`))))
  jobs
    .command('receipt <jobId>')
    .description('the receipt of a confirmed job (what `krain verify` checks); --out writes it to a file')
    .option('--out <file>', 'write the receipt here')
    .action(async (id: string, o: { out?: string }) => {
      const r = await (await ctx.http()).request<ProvenInferenceReceipt>('GET', `/v1/jobs/${encodeURIComponent(id)}/receipt`)
      if (o.out) {
        writeFileSync(o.out, `${JSON.stringify(r, null, 2)}\n`)
        out({ jobId: r.jobId, file: o.out, chainId: r.receipt.chainId, registry: r.receipt.registry, txHash: r.receipt.txHash })
      } else out(r)
    })
}
