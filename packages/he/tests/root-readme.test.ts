/**
 * Keeps the root README's library example true: its ```ts block runs as written (with the
 * workspace's @krain/he) and prints what the README's comment says.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')

describe('root README', () => {
  it('runs its @krain/he example and prints what it promises', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("from '@krain/he'"))
    expect(block).toBeDefined()
    const expected = [...block!.matchAll(/console\.log\(.*\)\s*\/\/ (\S+)/g)].map((m) => m[1]!)
    expect(expected.length).toBeGreaterThan(0)
    // 2048-bit keys keep the test fast; the README's default (3072) is exercised elsewhere.
    const file = join(here, '..', `.root-readme-${process.pid}.ts`)
    writeFileSync(file, block!.replace('await generateKeyPair()', 'await generateKeyPair({ bits: 2048 })'))
    try {
      const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8' })
      expect(out.trim().split('\n')).toEqual(expected)
    } finally {
      rmSync(file, { force: true })
    }
  }, 120_000)
})
