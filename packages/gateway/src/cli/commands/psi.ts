/**
 * @module cli/commands/psi
 * `krain psi create|join|status`: private set intersection between institutions through the
 * gateway (which relays blinded chunks only). `create` opens a session (parties by address, mode
 * intersection|cardinality|sum); `join` runs this party's side on an identifier file, with
 * progress on stderr, and prints what it learns; `status` shows the session's streams.
 *
 * The identifier file is one identifier a line, or a CSV `id,value` for the value holder of a
 * `sum` session (values are non-negative integers).
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { contextOf, inputError, keyOf, out, usageError } from '../context.js'
import { progress } from '../progress.js'

const MODES = ['intersection', 'cardinality', 'sum'] as const

/** Read identifiers (and values, for `id,value` lines). */
function readIds(file: string, withValues: boolean): { ids: string[]; values?: bigint[] } {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw inputError(`cannot read ${file}`, (e as Error).message)
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  if (!withValues) return { ids: lines }
  const ids: string[] = []
  const values: bigint[] = []
  lines.forEach((l, i) => {
    const k = l.lastIndexOf(',')
    const v = k < 0 ? '' : l.slice(k + 1).trim()
    if (!/^\d+$/.test(v)) throw inputError(`${file}:${i + 1}: expected "id,value" with a non-negative integer value`)
    ids.push(l.slice(0, k).trim())
    values.push(BigInt(v))
  })
  return { ids, values }
}

/** Register `psi`. */
export function registerPsiCommands(p: Command): void {
  const ctx = contextOf(p)
  const psi = p.command('psi').description('private set intersection with other institutions (the gateway sees blinded points only)')
  psi
    .command('create')
    .description('open a PSI session; the first party is the leader (it learns the output)')
    .requiredOption('--parties <addresses>', 'comma-separated addresses, in ring order (2 to 16)')
    .option('--mode <mode>', `${MODES.join(' | ')}`, 'intersection')
    .option('--value-holder <address>', 'sum: the party whose values are summed (default: the last party)')
    .option('--expires <minutes>', 'session lifetime in minutes', '1440')
    .action(async (o: { parties: string; mode: string; valueHolder?: string; expires: string }) => {
      if (!(MODES as readonly string[]).includes(o.mode)) throw usageError(`--mode must be one of ${MODES.join(', ')}`)
      const minutes = Number(o.expires)
      if (!Number.isFinite(minutes) || minutes <= 0) throw usageError('--expires must be a positive number of minutes')
      const http = await ctx.http()
      out(await http.request('POST', '/v1/psi/sessions', { body: { parties: o.parties.split(',').map((s) => s.trim()), mode: o.mode, ...(o.valueHolder ? { valueHolder: o.valueHolder } : {}), expiresInMs: Math.round(minutes * 60_000) } }))
    })
  psi
    .command('join <sessionId>')
    .description("run this party's side with an identifier file (one a line; `id,value` lines for a sum's value holder)")
    .requiredOption('--ids <file>', 'identifier file')
    .option('--chunk <n>', 'points per chunk', '8192')
    .action(async (sessionId: string, o: { ids: string; chunk: string }) => {
      const g = ctx.g()
      const { PsiParticipant } = await import('@krain/client')
      const http = await ctx.http()
      const status = await http.request<{ mode: string; valueHolder: string | null }>('GET', `/v1/psi/sessions/${sessionId}`)
      const me = (await ctx.address()).toLowerCase()
      const holder = status.mode === 'sum' && status.valueHolder?.toLowerCase() === me
      const { ids, values } = readIds(o.ids, holder)
      const bar = progress(`psi ${sessionId.slice(0, 8)}… ${me.slice(0, 8)}…`)
      const party = new PsiParticipant({
        url: g.url,
        privateKey: keyOf(g),
        sessionId,
        ids,
        values,
        chunkSize: Number(o.chunk),
        onProgress: (s) => bar.step(`${s.step} ${s.stream}: ${s.done.toLocaleString()}${s.total !== undefined ? ` / ${s.total.toLocaleString()}` : ''}`),
      })
      try {
        const r = await party.run()
        bar.done(`${r.role}: done`)
        out({ ...r, ...(r.sum !== undefined ? { sum: r.sum.toString() } : {}), ...(r.intersection ? { intersectionSize: r.intersection.length } : {}) })
      } catch (e) {
        bar.fail()
        throw e
      }
    })
  psi
    .command('status <sessionId>')
    .description("a session's parties, mode, expiry and streams (chunks, bytes, finished)")
    .action(async (sessionId: string) => {
      const http = await ctx.http()
      const s = await http.request<{ expiresAt: number; createdAt: number }>('GET', `/v1/psi/sessions/${sessionId}`)
      out({ ...s, created: new Date(s.createdAt).toLocaleString(), expires: new Date(s.expiresAt).toLocaleString() })
    })
}
