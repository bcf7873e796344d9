/**
 * @module benchmarks/lib
 * The shared harness (see ../shared/BENCHMARKS.md): ours and the anchor run interleaved
 * (A B A B …) on the same inputs after a warm-up; we report medians with min–max; each run
 * writes `benchmarks/results/<name>.json` and regenerates the tables in `benchmarks/README.md`.
 */
import { cpus } from 'node:os'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const benchDir = dirname(fileURLToPath(import.meta.url))
export const resultsDir = join(benchDir, 'results')

/** One row of a result table. `ratio` is always "how many times better ours is". */
export type Row = {
  metric: string
  unit: string
  ours: number
  anchor: number | null
  anchorName: string | null
  ratio: number | null
  target: number | null
  met: boolean | null
  /** min–max of ours and of the anchor over the samples, when timed. */
  oursRange?: [number, number]
  anchorRange?: [number, number]
  note?: string
}

export type Result = { name: string; machine: string; date: string; command: string; rows: Row[] }

export const machine = (): string => `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), node ${process.version}`

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Timing statistics (ms per operation) of a set of samples. */
export type Stats = { median: number; min: number; max: number; samples: number[] }

function stats(samples: number[]): Stats {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples }
}

/**
 * CPU time (ms, user + system of this process) of `ours` and `anchor`, interleaved A B / B A after a
 * warm-up: for work that runs on this thread, where wall time would also count the other core's load.
 */
export function compareCpu(p: { ours: () => unknown; anchor: () => unknown; samples: number; warmup: number }): { ours: Stats; anchor: Stats } {
  for (let i = 0; i < p.warmup; i++) {
    p.ours()
    p.anchor()
  }
  const time = (f: () => unknown): number => {
    const c0 = process.cpuUsage()
    f()
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1000
  }
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < p.samples; i++) {
    if (i % 2 === 0) {
      a.push(time(p.ours))
      b.push(time(p.anchor))
    } else {
      b.push(time(p.anchor))
      a.push(time(p.ours))
    }
  }
  return { ours: stats(a), anchor: stats(b) }
}

/**
 * Time `ours` and `anchor` interleaved. Each sample runs the function `ops` times and records
 * ms per op. Returns medians with ranges.
 */
export async function compare(params: {
  ours: () => unknown | Promise<unknown>
  anchor: () => unknown | Promise<unknown>
  samples?: number
  warmup?: number
  ops?: number
}): Promise<{ ours: Stats; anchor: Stats }> {
  const { ours, anchor, samples = 7, warmup = 1, ops = 1 } = params
  for (let i = 0; i < warmup; i++) {
    await ours()
    await anchor()
  }
  const a: number[] = []
  const b: number[] = []
  const time = async (f: () => unknown | Promise<unknown>): Promise<number> => {
    const t0 = performance.now()
    for (let k = 0; k < ops; k++) await f()
    return (performance.now() - t0) / ops
  }
  for (let i = 0; i < samples; i++) {
    // alternate who goes first so drift on a shared machine hits both sides
    if (i % 2 === 0) {
      a.push(await time(ours))
      b.push(await time(anchor))
    } else {
      b.push(await time(anchor))
      a.push(await time(ours))
    }
  }
  return { ours: stats(a), anchor: stats(b) }
}

/** Time one function alone (ms per op). */
export async function timeIt(f: () => unknown | Promise<unknown>, samples = 7, warmup = 1, ops = 1): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await f()
  const xs: number[] = []
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    for (let k = 0; k < ops; k++) await f()
    xs.push((performance.now() - t0) / ops)
  }
  return stats(xs)
}

/** A row from two timings in ms/op, reported as ops/s (ratio = ours / anchor throughput). */
export function opsRow(metric: string, t: { ours: Stats; anchor: Stats }, anchorName: string, target: number | null = null): Row {
  const ours = 1000 / t.ours.median
  const anchor = 1000 / t.anchor.median
  const ratio = ours / anchor
  return {
    metric,
    unit: 'ops/s',
    ours: round(ours),
    anchor: round(anchor),
    anchorName,
    ratio: round(ratio),
    target,
    met: target === null ? null : ratio >= target,
    oursRange: [round(1000 / t.ours.max), round(1000 / t.ours.min)],
    anchorRange: [round(1000 / t.anchor.max), round(1000 / t.anchor.min)],
  }
}

/** A row for a "lower is better" quantity (ms, bytes, gas): ratio = anchor / ours. */
export function lowerIsBetterRow(metric: string, unit: string, ours: number, anchor: number | null, anchorName: string | null, target: number | null = null, note?: string): Row {
  const ratio = anchor === null ? null : round(anchor / ours)
  return { metric, unit, ours: round(ours), anchor: anchor === null ? null : round(anchor), anchorName, ratio, target, met: target === null || ratio === null ? null : ratio >= target, ...(note ? { note } : {}) }
}

export function round(x: number): number {
  if (!Number.isFinite(x)) return x
  const a = Math.abs(x)
  const digits = a >= 100 ? 1 : a >= 1 ? 3 : 6
  return Number(x.toFixed(digits))
}

/** Write `results/<name>.json`, print the table, and regenerate `README.md`'s result section. */
export function writeResult(name: string, rows: Row[]): Result {
  const result: Result = { name, machine: machine(), date: new Date().toISOString(), command: `npm run bench -- ${name}`, rows }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n')
  console.log(`\n## ${name}\n\n${table(result)}`)
  regenerateReadme()
  return result
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : String(x))

function table(r: Result): string {
  const head = '| metric | unit | ours | anchor | anchor name | ratio (×, higher = ours better) | target | met |\n|---|---|---|---|---|---|---|---|'
  const lines = r.rows.map(
    (x) =>
      `| ${x.metric}${x.note ? ` (${x.note})` : ''} | ${x.unit} | ${fmt(x.ours)}${x.oursRange ? ` (${x.oursRange[0]}–${x.oursRange[1]})` : ''} | ${fmt(x.anchor)}${x.anchorRange ? ` (${x.anchorRange[0]}–${x.anchorRange[1]})` : ''} | ${x.anchorName ?? '–'} | ${fmt(x.ratio)} | ${fmt(x.target)} | ${x.met === null ? '–' : x.met ? 'yes' : '**no**'} |`,
  )
  return `${head}\n${lines.join('\n')}`
}

const BEGIN = '<!-- results:begin (generated by benchmarks/lib.ts from results/*.json; do not edit) -->'
const END = '<!-- results:end -->'

/** Rebuild the generated section of benchmarks/README.md from every results/*.json. */
export function regenerateReadme(): void {
  const readmePath = join(benchDir, 'README.md')
  let readme = readFileSync(readmePath, 'utf8')
  const files = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort()
  const sections = files.map((f) => {
    const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Result
    return `### ${r.name}\n\n${r.date.slice(0, 10)} · ${r.machine} · \`${r.command}\`\n\n${table(r)}\n`
  })
  const block = `${BEGIN}\n\n${sections.join('\n')}\n${END}`
  const start = readme.indexOf(BEGIN)
  const end = readme.indexOf(END)
  readme = start >= 0 && end > start ? readme.slice(0, start) + block + readme.slice(end + END.length) : `${readme.trimEnd()}\n\n${block}\n`
  writeFileSync(readmePath, readme)
}
