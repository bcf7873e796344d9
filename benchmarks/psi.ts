/**
 * PSI: `@krain/psi` (ECDH over X25519 via node:crypto, Elligator 2 hashing, 2 worker threads)
 * against `@openmined/psi.js` 2.0.6 (WASM ECDH-PSI over P-256, Raw data structure so both are
 * exact), interleaved on the same sets. Sizes: 2 × 10,000 (interleaved, 3 samples each) and
 * 2 × 100,000 (anchor once: it takes minutes here); cardinality and sum variants checked exact;
 * 2 × 1,000,000 streamed only with PSI_BENCH_1M=1 (time and peak RSS).
 * Knobs for a loaded machine: PSI_BENCH_SAMPLES (default 3), PSI_BENCH_100K=0 (skip 100k),
 * PSI_BENCH_SKIP_ANCHOR_100K=1 (ours only at 100k).
 */
import { createRequire } from 'node:module'
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
  }

  // 2 × 100,000: ours, anchor once, ours (median of ours' two runs)
  if (process.env.PSI_BENCH_100K !== '0') {
    const { a, b, expected } = sets(100_000, 0.3, 's100k')
    const o: number[] = []
    const [t1, n1] = await ms(() => ours(a, b))
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
    rows.push({ ...lowerIsBetterRow('intersection 2 × 100,000', 'ms', m, anchorMs, ANCHOR, 5, anchorMs === null ? 'anchor not run at 100k this session (machine load ~10 on 2 cores); one run of ours' : 'ours twice around one anchor run'), oursRange: [round(Math.min(...o)), round(Math.max(...o))] })
    rows.push(lowerIsBetterRow('intersection 2 × 100,000 vs 30 s budget', 's', m / 1000, 30, 'budget (issue 13)', 1))
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

  if (process.env.PSI_BENCH_1M === '1') {
    const n = 1_000_000
    const a = Array.from({ length: n }, (_, i) => `m-${i}`)
    const b = Array.from({ length: n }, (_, i) => `m-${i * 3}`)
    const expected = Math.ceil(n / 3)
    const rss0 = process.memoryUsage().rss
    let peak = rss0
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250)
    const [t, r] = await ms(() => psiIntersect({ a, b, pool, variant: 'cardinality', chunkSize: 16_384, onProgress: () => void (peak = Math.max(peak, process.memoryUsage().rss)) }))
    clearInterval(timer)
    const got = (r as { cardinality: number }).cardinality
    rows.push(lowerIsBetterRow('cardinality 2 × 1,000,000 streamed', 's', t / 1000, null, null, null, `exact: ${got === expected ? 'yes' : 'NO'}; peak RSS ${Math.round(peak / 2 ** 20)} MiB (inputs alone ${Math.round(rss0 / 2 ** 20)} MiB)`))
  }
  await pool.close()
  writeResult('psi', rows)
}
