/**
 * PSI: `@krain/psi` (ECDH over X25519 via node:crypto, Elligator 2 hashing with a native Legendre
 * symbol, 2 worker threads) against `@openmined/psi.js` 2.0.6 (WASM ECDH-PSI over P-256, Raw data
 * structure so both are exact), interleaved on the same sets. Sizes: 2 × 10,000 (interleaved, 3
 * samples each) and 2 × 100,000 (anchor once between two runs of ours: it takes minutes here);
 * cardinality and sum variants checked exact; 2 × 1,000,000 streamed in a child process started
 * first and run alongside (so its peak RSS, `process.resourceUsage().maxRSS`, is its own): time,
 * peak RSS and RSS before the run. Rows are written as each section ends (a stopped run keeps them).
 * Knobs for a loaded machine: PSI_BENCH_SAMPLES (default 3), PSI_BENCH_100K=0 (skip 100k),
 * PSI_BENCH_SKIP_ANCHOR_100K=1 (ours only at 100k), PSI_BENCH_1M=0 (skip 1M).
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { PsiPool, psiIntersect } from '@krain/psi'
import { lowerIsBetterRow, round, writeResult } from './lib.js'
import type { Row } from './lib.js'

const ANCHOR = '@openmined/psi.js 2.0.6'

function sets(n: number, overlap: number, seed: string): { a: string[]; b: string[]; expected: number } {
  const a: string[] = []
  const b: string[] = []
  const common = Math.floor(n * overlap)
  for (let i = 0; i < n; i++) a.push(`${seed}-patient-${i}`)
  for (let i = 0; i < common; i++) b.push(`${seed}-patient-${i * 2 < n ? i * 2 : i}`)
  const seen = new Set(b)
  for (let i = 0; b.length < n; i++) {
    const id = `${seed}-other-${i}`
    if (!seen.has(id)) b.push(id)
  }
  const sb = new Set(b)
  return { a, b, expected: a.filter((x) => sb.has(x)).length }
}

type PsiLib = {
  server: { createWithNewKey: (reveal: boolean) => { createSetupMessage: (fpr: number, n: number, inputs: string[], ds: unknown) => unknown; processRequest: (r: unknown) => unknown; delete: () => void } }
  client: { createWithNewKey: (reveal: boolean) => { createRequest: (inputs: string[]) => unknown; getIntersection: (s: unknown, r: unknown) => number[]; delete: () => void } }
  dataStructure: { Raw: unknown; GCS: unknown }
}

async function loadAnchor(): Promise<PsiLib> {
  const require = createRequire(import.meta.url)
  const PSI = require('@openmined/psi.js') as () => Promise<PsiLib>
  return PSI()
}

function anchorRun(psi: PsiLib, a: string[], b: string[]): number {
  const server = psi.server.createWithNewKey(true)
  const client = psi.client.createWithNewKey(true)
  const setup = server.createSetupMessage(1e-9, a.length, b, psi.dataStructure.Raw)
  const request = client.createRequest(a)
  const response = server.processRequest(request)
  const n = client.getIntersection(setup, response).length
  server.delete()
  client.delete()
  return n
}

const ms = async (f: () => Promise<unknown> | unknown): Promise<[number, unknown]> => {
  const t0 = performance.now()
  const r = await f()
  return [performance.now() - t0, r]
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!

export async function run(): Promise<void> {
  const rows: Row[] = []
  // the 1M run, in its own process from the start (it takes longest)
  const oneM =
    process.env.PSI_BENCH_1M === '0'
      ? null
      : new Promise<string>((resolve, reject) => {
          const child = execFile(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, PSI_BENCH_CHILD: '1m' }, maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)))
          child.stderr?.pipe(process.stderr)
        })
  const pool = new PsiPool({ threads: 2 })
  const psi = await loadAnchor()
  const ours = async (a: string[], b: string[]): Promise<number> => (await psiIntersect({ a, b, pool, chunkSize: 8192 })).intersection!.length

  // 2 × 10,000, interleaved A B / B A, 3 samples each
  {
    const { a, b, expected } = sets(10_000, 0.3, 's10k')
    const o: number[] = []
    const x: number[] = []
    const samples = Number(process.env.PSI_BENCH_SAMPLES ?? 3)
    for (let i = 0; i < samples; i++) {
      const runOurs = async () => {
        const [t, n] = await ms(() => ours(a, b))
        if (n !== expected) throw new Error(`ours: ${String(n)} != ${expected}`)
        o.push(t)
      }
      const runAnchor = async () => {
        const [t, n] = await ms(() => anchorRun(psi, a, b))
        if (n !== expected) throw new Error(`anchor: ${String(n)} != ${expected}`)
        x.push(t)
      }
      if (i % 2 === 0) (await runOurs(), await runAnchor())
      else (await runAnchor(), await runOurs())
      console.log(`10k sample ${i}: ours ${round(o.at(-1)!)} ms, anchor ${round(x.at(-1)!)} ms`)
    }
    rows.push({ ...lowerIsBetterRow('intersection 2 × 10,000', 'ms', median(o), median(x), ANCHOR, 5, `${samples} interleaved samples each (A B, B A)`), oursRange: [round(Math.min(...o)), round(Math.max(...o))], anchorRange: [round(Math.min(...x)), round(Math.max(...x))] })
    writeResult('psi', rows)
  }

  // 2 × 100,000: ours, anchor once, ours (median of ours' two runs)
  if (process.env.PSI_BENCH_100K !== '0') {
    const { a, b, expected } = sets(100_000, 0.3, 's100k')
    const o: number[] = []
    const cpu0 = process.cpuUsage()
    const [t1, n1] = await ms(() => ours(a, b))
    const cpu = process.cpuUsage(cpu0)
    const cpuS = (cpu.user + cpu.system) / 1e6
    o.push(t1)
    console.log(`100k ours ${round(t1)} ms`)
    let anchorMs: number | null = null
    if (process.env.PSI_BENCH_SKIP_ANCHOR_100K !== '1') {
      const [ta, na] = await ms(() => anchorRun(psi, a, b))
      if (na !== expected) throw new Error(`anchor 100k: ${String(na)} != ${expected}`)
      anchorMs = ta
      console.log(`100k anchor ${round(ta)} ms`)
    }
    const [t2, n2] = anchorMs === null ? [t1, n1] : await ms(() => ours(a, b))
    if (anchorMs !== null) o.push(t2)
    if (n1 !== expected || n2 !== expected) throw new Error('ours 100k: wrong intersection size')
    const m = (t1 + t2) / 2
    rows.push({ ...lowerIsBetterRow('intersection 2 × 100,000', 'ms', m, anchorMs, ANCHOR, 5, anchorMs === null ? `anchor not run at 100k this session (1-min load average ${os.loadavg()[0]!.toFixed(1)} on 2 cores: it would take tens of minutes); one run of ours` : 'ours twice around one anchor run'), oursRange: [round(Math.min(...o)), round(Math.max(...o))] })
    rows.push(lowerIsBetterRow('intersection 2 × 100,000 vs 30 s budget', 's', m / 1000, 30, 'budget (issue 13)', 1, `CPU time of one run ${round(cpuS)} s over both worker threads and the main thread (wall ≈ CPU / 2 on two free cores); 1-min load average after the runs ${os.loadavg()[0]!.toFixed(1)} on 2 cores`))
    writeResult('psi', rows)
  }

  // cardinality and sum: exact against the plain computation
  {
    const { a, b, expected } = sets(10_000, 0.4, 'card')
    const [t, r] = await ms(() => psiIntersect({ a, b, pool, variant: 'cardinality' }))
    const got = (r as { cardinality: number }).cardinality
    rows.push(lowerIsBetterRow('cardinality 2 × 10,000', 'ms', t, null, null, null, `exact: ${got === expected ? 'yes' : `NO (${got} vs ${expected})`}`))
  }
  {
    const { a, b } = sets(2_000, 0.5, 'sum')
    const values = b.map((_, i) => (i * 7919) % 1000)
    const sa = new Set(a)
    let expectedSum = 0n
    let expectedCard = 0
    b.forEach((id, i) => {
      if (sa.has(id)) (expectedSum += BigInt(values[i]!)), expectedCard++
    })
    const [t, r] = await ms(() => psiIntersect({ a, b, bValues: values, pool, variant: 'sum', paillierBits: 2048 }))
    const got = r as { cardinality: number; sum: bigint }
    const ok = got.sum === expectedSum && got.cardinality === expectedCard
    rows.push(lowerIsBetterRow('sum 2 × 2,000 (Paillier 2048)', 'ms', t, null, null, null, `exact: ${ok ? 'yes' : `NO (${got.sum} vs ${expectedSum})`}`))
  }

  await pool.close()
  writeResult('psi', rows)
  if (oneM) {
    const r = JSON.parse((await oneM).trim().split('\n').at(-1)!) as { seconds: number; exact: boolean; maxRssMiB: number; inputsRssMiB: number; n: number }
    const note = `intersection variant, chunks of 16,384, 2 worker threads, run alongside the rows above; exact: ${r.exact ? 'yes' : 'NO'}; RSS with only the two input arrays ${r.inputsRssMiB} MiB`
    rows.push(lowerIsBetterRow('intersection 2 × 1,000,000 streamed: time', 's', r.seconds, null, null, null, note))
    rows.push(lowerIsBetterRow('intersection 2 × 1,000,000 streamed: peak RSS', 'MiB', r.maxRssMiB, null, null, null, `process.resourceUsage().maxRSS of the child process; ${Math.round(((r.maxRssMiB - r.inputsRssMiB) * 2 ** 20) / r.n)} bytes per item pair above the inputs`))
  }
  writeResult('psi', rows)
}

/** The 2 × 1,000,000 run, in its own process: prints one JSON line. */
async function child1M(): Promise<void> {
  const n = 1_000_000
  const a = Array.from({ length: n }, (_, i) => `m-${i}`)
  const b = Array.from({ length: n }, (_, i) => `m-${i * 3}`)
  const inputsRssMiB = Math.round(process.memoryUsage().rss / 2 ** 20)
  const pool = new PsiPool({ threads: 2 })
  let last = 0
  const t0 = performance.now()
  const r = await psiIntersect({
    a,
    b,
    pool,
    chunkSize: 16_384,
    onProgress: (p) => {
      if (p.done - last >= 100_000 || p.done === p.total) (last = p.done), console.error(`1M ${p.party} ${p.phase} ${p.done}/${p.total} ${Math.round((performance.now() - t0) / 1000)} s`)
    },
  })
  const seconds = (performance.now() - t0) / 1000
  await pool.close()
  const exact = r.intersection!.length === Math.ceil(n / 3) && r.intersection!.every((x) => Number(x.slice(2)) % 3 === 0)
  console.log(JSON.stringify({ n, seconds: round(seconds), exact, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), inputsRssMiB }))
}

if (process.env.PSI_BENCH_CHILD === '1m') await child1M()
