import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { breastCancerTask, predictLabel } from '@krain/models'
import { afterEach, describe, expect, it, vi } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8')
const start = readme.indexOf('## CKKS, BFV and ElGamal')
const end = readme.indexOf('\n## ', start + 5)
const section = readme.slice(start, end < 0 ? undefined : end)
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)

/** Checks the README's `expr // [1, 2]`, `expr // ≈ [1.5, 0]` and `expr // 42n` result comments. */
const checked: string[] = []
;(globalThis as Record<string, unknown>).__readmeCheck = (got: unknown, want: unknown, approx: boolean, src: string) => {
  checked.push(src)
  if (!approx) return expect(got, src).toEqual(want)
  const g = got as number[]
  const w = want as number[]
  expect(g.length, src).toBe(w.length)
  w.forEach((v, i) => expect(Math.abs(g[i]! - v), src).toBeLessThan(1e-3))
}

function withChecks(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      const m = /^(\S.*?) \/\/ (≈ )?(\[[-\d., n]*\]|-?\d+n?)$/.exec(line)
      return m ? `;(globalThis as any).__readmeCheck(${m[1]}, ${m[3]}, ${m[2] !== undefined}, ${JSON.stringify(line)})` : line
    })
    .join('\n')
}

async function runBlock(code: string, i: number): Promise<void> {
  const file = join(here, `.readme-block-${process.pid}-${i}.tmp.ts`)
  writeFileSync(file, `${withChecks(code)}\nexport {}\n`)
  try {
    await import(/* @vite-ignore */ file)
  } finally {
    rmSync(file, { force: true })
  }
}

describe('README (CKKS, BFV and ElGamal section)', () => {
  afterEach(() => vi.restoreAllMocks())

  it('has the walkthrough and the other examples', () => {
    expect(section).toContain('<!-- walkthrough:begin -->')
    expect(blocks.length).toBeGreaterThanOrEqual(4)
  })

  it('runs the walkthrough as written: client keys → bundle → server evaluates → client decrypts', async () => {
    const logs: unknown[] = []
    vi.spyOn(console, 'log').mockImplementation((v: unknown) => void logs.push(v))
    const walkthrough = section.slice(section.indexOf('<!-- walkthrough:begin -->'), section.indexOf('<!-- walkthrough:end -->'))
    await runBlock(/```ts\n([\s\S]*?)```/.exec(walkthrough)![1]!, 0)
    const { model, test } = breastCancerTask()
    const want = test.x.slice(0, 8).map((r) => (predictLabel(model, r) === 1 ? 'benign' : 'malignant'))
    expect(logs).toEqual([want])
  }, 60_000)

  it('runs every other example block and gets the results its comments state', async () => {
    for (let i = 1; i < blocks.length; i++) await runBlock(blocks[i]!, i)
    // CKKS: x·y + x, dot, matmul; BFV: dot; ElGamal: product; EC-ElGamal: tally
    expect(checked.length).toBe(6)
  }, 60_000)
})
