/**
 * Keeps packages/he/README.md's Paillier section true: extracts its ```ts blocks, merges their
 * imports, turns every `console.log(expr) // expected` into an assertion on util.inspect(expr),
 * and runs the result as one program with node + tsx.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const readme = readFileSync(join(here, '../README.md'), 'utf8')

function paillierSection(md: string): string {
  const start = md.indexOf('\n## Paillier')
  const end = md.indexOf('\n## ', start + 1)
  return md.slice(start, end < 0 ? undefined : end)
}

function blocks(section: string): string[] {
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

/** One program from the blocks: merged imports from '@krain/he', console.log lines checked. */
function program(codeBlocks: string[]): { source: string; checks: number } {
  const names = new Set<string>()
  let checks = 0
  const bodies = codeBlocks.map((b) =>
    b
      .split('\n')
      .filter((line) => {
        const m = /^import \{([^}]*)\} from '@krain\/he'$/.exec(line.trim())
        if (!m) return true
        for (const n of m[1]!.split(',')) if (n.trim()) names.add(n.trim())
        return false
      })
      .map((line) => {
        const m = /^(\s*)console\.log\((.*)\) \/\/ (.+)$/.exec(line)
        if (!m) return line
        checks++
        return `${m[1]}__check(${m[2]}, ${JSON.stringify(m[3]!.trim())}, ${JSON.stringify(m[2])})`
      })
      .join('\n'),
  )
  const indexUrl = pathToFileURL(join(here, '../src/index.ts')).href
  const source = [
    `import { inspect } from 'node:util'`,
    `import { ${[...names].join(', ')} } from ${JSON.stringify(indexUrl)}`,
    `let __checks = 0`,
    `function __check(value: unknown, expected: string, expr: string): void {`,
    `  const got = inspect(value, { depth: 5 })`,
    `  if (got.replace(/\\s+/g, '') !== expected.replace(/\\s+/g, '')) throw new Error('README: ' + expr + ' printed ' + got + ', the README says ' + expected)`,
    `  __checks++`,
    `}`,
    ...bodies,
    `console.log('README OK ' + __checks)`,
  ].join('\n')
  return { source, checks }
}

describe('packages/he/README.md Paillier section', () => {
  const codeBlocks = blocks(paillierSection(readme))
  it('has a runnable block for each step (keygen, encrypt, add, encode, pack, serialise, interop)', () => {
    expect(codeBlocks.length).toBeGreaterThanOrEqual(8)
    const all = codeBlocks.join('\n')
    for (const api of ['generateKeyPair', 'encrypt(', 'decrypt(', 'add(', 'createFixedPointEncoder', 'createPacker', 'serializeCiphertext', 'privateKeyToJwk', 'toPaillierBigint'])
      expect(all).toContain(api)
  })
  it('runs, and every printed value is the one the README shows', () => {
    const { source, checks } = program(codeBlocks)
    expect(checks).toBeGreaterThanOrEqual(20)
    const dir = mkdtempSync(join(tmpdir(), 'krain-readme-'))
    try {
      const file = join(dir, 'readme-paillier.mts')
      writeFileSync(file, source)
      const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 120_000 })
      expect(out.trim()).toBe(`README OK ${checks}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 150_000)
})
