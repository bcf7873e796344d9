/**
 * CLI start-up (issue 15.6): wall time of `krain --help` and `krain keys show` through the real
 * binary (packages/gateway/bin/krain.js) from a source checkout: ours runs the cached esbuild bundle
 * of the CLI with lazily imported modules; the anchor is the same CLI run the previous way (a tsx child
 * process on the TypeScript sources, `KRAIN_CLI_TSX=1`). Interleaved A B A B after a warm-up (which
 * also makes the bundle); median of the wall times, and of the CPU time of the process tree (which a
 * loaded machine does not inflate). Target: ≤ 500 ms for both commands.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { benchDir, compare, lowerIsBetterRow, round, writeResult, type Row } from './lib.js'

const bin = join(benchDir, '..', 'packages', 'gateway', 'bin', 'krain.js')
const KEY = `0x${'ab'.repeat(32)}`

function runner(args: string[], tsx: boolean): () => void {
  return () => {
    const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, KRAIN_CLI_TSX: tsx ? '1' : '' }, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`krain ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
}

/** CPU seconds (user + system, the process and its children) of one run, by /usr/bin/time: robust to a loaded machine. */
function cpuOf(args: string[], tsx: boolean): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, bin, ...args], { env: { ...process.env, KRAIN_CLI_TSX: tsx ? '1' : '' }, encoding: 'utf8' })
  const [u, sy] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number)
  return (u! + sy!) * 1000
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

export async function run(): Promise<void> {
  const rows: Row[] = []
  for (const [metric, args] of [
    ['krain --help (wall)', ['--help']],
    ['krain keys show (wall)', ['keys', 'show', '--key', KEY]],
  ] as const) {
    const load = loadavg()[0]!
    const t = await compare({ ours: runner([...args], false), anchor: runner([...args], true), samples: 9, warmup: 1 })
    const ours = t.ours.median
    // the target is absolute (≤ 500 ms): as a ratio it is anchor / 500
    rows.push({ ...lowerIsBetterRow(metric, 'ms', ours, t.anchor.median, 'the same CLI through tsx (before)', round(t.anchor.median / 500), `target ≤ 500 ms: ${ours <= 500 ? 'met' : 'not met'}; ours ${Math.round(t.ours.min)}–${Math.round(t.ours.max)} ms; load average ${load.toFixed(1)} on ${process.env.KRAIN_BENCH_NOTE ?? 'this machine'}`) })
  }
  if (existsSync('/usr/bin/time')) {
    for (const [metric, args] of [
      ['krain --help (CPU)', ['--help']],
      ['krain keys show (CPU)', ['keys', 'show', '--key', KEY]],
    ] as const) {
      const ours: number[] = []
      const anchor: number[] = []
      for (let i = 0; i < 7; i++) {
        ours.push(cpuOf([...args], false))
        anchor.push(cpuOf([...args], true))
      }
      const m = median(ours)
      rows.push(lowerIsBetterRow(metric, 'ms', m, median(anchor), 'the same CLI through tsx (before)', round(median(anchor) / 500), `user+system CPU of the process tree; target ≤ 500 ms: ${m <= 500 ? 'met' : 'not met'}`))
    }
  }
  writeResult('cli-startup', rows)
}
