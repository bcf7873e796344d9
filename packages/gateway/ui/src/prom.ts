/**
 * A small reader of the Prometheus text format (`GET /metrics`): samples with their labels, and
 * the quantile of a histogram estimated from its cumulative buckets (as Prometheus's
 * `histogram_quantile` does: linear within the bucket).
 */
export type Sample = { name: string; labels: Record<string, string>; value: number }

/** Parse the exposition text into samples (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    const value = m[3] === '+Inf' ? Infinity : Number(m[3])
    if (!Number.isNaN(value)) out.push({ name: m[1]!, labels, value })
  }
  return out
}

/** Sum of the samples of `name` whose labels match `where`. */
export const total = (samples: Sample[], name: string, where: Record<string, string> = {}): number =>
  samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)

/** Cumulative buckets of histogram `name` (summed over the other labels), by upper bound. */
export function buckets(samples: Sample[], name: string, where: Record<string, string> = {}): { le: number; count: number }[] {
  const by = new Map<number, number>()
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)
    by.set(le, (by.get(le) ?? 0) + s.value)
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }))
}

/** Estimated q-quantile of cumulative buckets (null without observations). */
export function quantile(q: number, cumulative: { le: number; count: number }[]): number | null {
  const n = cumulative.at(-1)?.count ?? 0
  if (n === 0) return null
  const rank = q * n
  let prevLe = 0
  let prevCount = 0
  for (const { le, count } of cumulative) {
    if (count >= rank) {
      if (le === Infinity) return prevLe
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1)
    }
    prevLe = le
    prevCount = count
  }
  return prevLe
}
