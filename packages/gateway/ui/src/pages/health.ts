/**
 * Chain and queue health, and charts from `/metrics`: the request-latency distribution, its p50 and
 * p95 over the last minutes (from the histogram's deltas between scrapes), the time proven
 * inferences took, and the slowest routes.
 */
import { barChart, lineChart } from '../charts.js'
import { $, errorText, h, pill } from '../dom.js'
import { buckets, parseMetrics, quantile, total, type Sample } from '../prom.js'
import { api } from '../session.js'

type Health = { status: string; store: string; chain: { chainId: number; registry: string; rpcUrl?: string } | null; chainStatus: string; workers: number; uptimeSeconds: number }

const LATENCY = 'krain_http_request_duration_seconds'
const PROOF = 'krain_proof_job_seconds'
/** Scrapes kept for the time series (one every few seconds: about ten minutes). */
const KEEP = 200
const history: { t: number; cumulative: { le: number; count: number }[]; requests: number }[] = []

const secs = (s: number): string => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(s < 10 ? 1 : 0)} s`)
const bound = (le: number): string => (le === Infinity ? '> max' : `≤${secs(le)}`)

/** Non-cumulative bars from cumulative buckets (empty tail buckets dropped). */
function bars(cumulative: { le: number; count: number }[]): { label: string; value: number }[] {
  const out = cumulative.map((b, i) => ({ label: bound(b.le), value: b.count - (i ? cumulative[i - 1]!.count : 0) }))
  while (out.length > 4 && out.at(-1)!.value === 0) out.pop()
  return out
}

/** Scrape `/metrics` (public) and remember the latency histogram for the series. */
async function scrape(): Promise<Sample[]> {
  const text = await (await fetch('/metrics')).text()
  const samples = parseMetrics(text)
  history.push({ t: Date.now(), cumulative: buckets(samples, LATENCY), requests: total(samples, `${LATENCY}_count`) })
  if (history.length > KEEP) history.shift()
  return samples
}

function dl(rows: [string, Node | string][]): HTMLElement {
  return h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
}

/** Render the health page. */
export async function renderHealth(): Promise<void> {
  try {
    const [health, samples] = await Promise.all([api().request<Health>('GET', '/healthz', { auth: false }), scrape()])
    const c = health.chain
    $('chain').replaceChildren(
      dl([
        ['chain', pill(health.chainStatus, health.chainStatus === 'connected' ? 'confirmed' : health.chainStatus === 'none' ? 'queued' : 'failed')],
        ['chain id', c ? String(c.chainId) : 'none'],
        ['registry', c ? h('code', {}, c.registry) : '—'],
        ['RPC for verifiers', c?.rpcUrl ?? '—'],
        ['store', health.store],
        ['worker threads', String(health.workers)],
        ['uptime', secs(health.uptimeSeconds)],
      ]),
    )
    const jobStates = ['queued', 'proving', 'proved', 'submitted', 'confirmed', 'failed']
    $('queue').replaceChildren(
      dl([
        ...jobStates.map((s): [string, string] => [`jobs ${s}`, String(total(samples, 'krain_jobs', { state: s }))]),
        ['outbox (chain submissions waiting)', String(total(samples, 'krain_outbox_pending'))],
        ['MPC sessions', String(total(samples, 'krain_mpc_sessions'))],
        ['signed-in sessions', String(total(samples, 'krain_sessions_active'))],
      ]),
    )
    // request latency: distribution, and p50/p95 over time from deltas between scrapes
    const series = history.map((x, i) => {
      if (i === 0) return { t: x.t, p50: null, p95: null, rate: null }
      const prev = history[i - 1]!
      const delta = x.cumulative.map((b) => ({ le: b.le, count: b.count - (prev.cumulative.find((p) => p.le === b.le)?.count ?? 0) }))
      const dt = (x.t - prev.t) / 1000
      const q50 = quantile(0.5, delta)
      const q95 = quantile(0.95, delta)
      return { t: x.t, p50: q50 === null ? null : q50 * 1000, p95: q95 === null ? null : q95 * 1000, rate: dt > 0 ? (x.requests - prev.requests) / dt : null }
    })
    const routes = [...new Set(samples.filter((s) => s.name === `${LATENCY}_count`).map((s) => `${s.labels.method} ${s.labels.route}`))]
      .map((r) => {
        const [method, route] = [r.slice(0, r.indexOf(' ')), r.slice(r.indexOf(' ') + 1)]
        const cb = buckets(samples, LATENCY, { method: method!, route: route! })
        return { r, n: cb.at(-1)?.count ?? 0, p50: quantile(0.5, cb), p95: quantile(0.95, cb) }
      })
      .filter((x) => x.n > 0)
      .sort((a, b) => (b.p95 ?? 0) - (a.p95 ?? 0))
      .slice(0, 8)
    const proofs = buckets(samples, PROOF, { state: 'confirmed' })
    const proofN = proofs.at(-1)?.count ?? 0
    $('charts').replaceChildren(
      h('figure', { id: 'chart-latency' }, barChart('request latency (all routes, since start)', bars(buckets(samples, LATENCY)))),
      h('figure', { id: 'chart-latency-time' }, lineChart('p95 request latency, ms (between scrapes)', series.map((x) => ({ t: x.t, v: x.p95 })))),
      h(
        'figure',
        { id: 'chart-proofs' },
        barChart(`proven inferences, request → confirmed (${proofN} job${proofN === 1 ? '' : 's'})`, bars(proofs)),
        h('figcaption', {}, proofN ? `median ${secs(quantile(0.5, proofs) ?? 0)}, p95 ${secs(quantile(0.95, proofs) ?? 0)}` : 'no confirmed proof yet'),
      ),
      h('figure', { id: 'chart-rate' }, lineChart('requests per second', series.map((x) => ({ t: x.t, v: x.rate })))),
      h(
        'table',
        { class: 'routes' },
        h('thead', {}, h('tr', {}, h('th', {}, 'slowest routes'), h('th', {}, 'requests'), h('th', {}, 'p50'), h('th', {}, 'p95'))),
        h('tbody', {}, ...routes.map((x) => h('tr', {}, h('td', {}, h('code', {}, x.r)), h('td', {}, String(x.n)), h('td', {}, x.p50 === null ? '—' : secs(x.p50)), h('td', {}, x.p95 === null ? '—' : secs(x.p95))))),
      ),
    )
  } catch (e) {
    $('chain').replaceChildren(h('p', { class: 'bad' }, `unreachable: ${errorText(e)}`))
  }
}
