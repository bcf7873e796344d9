/**
 * Keeps the root README's "three hospitals training a model together" lines true: every
 * `npx krain train …` and `npx krain audit …` line of that block runs as written (the CLI as its
 * own process, three hospitals joining in parallel) against a gateway on a real socket; the audit
 * log verifies offline and an edited copy fails at the edited entry. (The `infer` line runs the
 * same encrypted-inference path the SDK test exercises on the registered joint model.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { privateKeyToAccount } from 'viem/accounts'
import { runKrain } from './helpers/krain-bin.js'
import { testGateway } from './helpers/app.js'

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

/** The `npx krain train|audit` lines of the README's federated block. */
function trainLines(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('and the same three hospitals training a model together')
  expect(start).toBeGreaterThan(0)
  const block = readme.slice(readme.indexOf('```sh\n', start) + 6, readme.indexOf('```\n', readme.indexOf('```sh\n', start) + 6))
  return block.split('\n').filter((l) => /^(for i in 1 2 3; do )?npx krain .*(train|audit) /.test(l))
}

describe('root README: three hospitals train, register, audit (CLI)', () => {
  let app: FastifyInstance
  let url: string
  const work = mkdtempSync(join(tmpdir(), 'krain-fed-readme-'))
  const keys = [1, 2, 3].map((i) => `0x${(0xfed100n + BigInt(i)).toString(16).padStart(64, '0')}`)
  beforeAll(async () => {
    app = await testGateway()
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    keys.forEach((k, i) => writeFileSync(join(work, `h${i + 1}.key`), `${k}\n`))
  })
  afterAll(async () => app.close())

  it('runs the README lines as written and the audit log verifies offline', async () => {
    const lines = trainLines()
    expect(lines.length).toBeGreaterThanOrEqual(6)
    const vars: Record<string, string> = { $PARTIES: keys.map((k) => privateKeyToAccount(k as `0x${string}`).address).join(',') }
    const env = { KRAIN_URL: url }
    const argv = (l: string): { args: string[]; out?: string } => {
      let s = l.replace(/\s+#.*$/, '').replace(/^npx krain /, '')
      for (const [k, v] of Object.entries(vars)) s = s.replaceAll(k, v)
      s = s.replaceAll('.krain/h', `${work}/h`)
      const redirect = s.match(/\s>\s*(\S+)\s*$/)
      if (redirect) s = s.slice(0, redirect.index)
      const args = [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2])!)
      return { args, ...(redirect ? { out: join(work, redirect[1]!) } : {}) }
    }
    const run = async (l: string): Promise<string> => {
      const { args, out } = argv(l)
      const r = await runKrain(args.map((a) => (a.endsWith('.json') && !a.startsWith('/') ? join(work, a) : a)), { env })
      expect(r.code, `${l}\n${r.stderr}`).toBe(0)
      if (out) writeFileSync(out, r.stdout)
      return r.stdout
    }
    for (const l of lines) {
      if (l.startsWith('for i in 1 2 3; do ')) {
        const body = l.replace(/^for i in 1 2 3; do /, '').replace(/ & done; wait.*$/, '')
        const outs = await Promise.all([1, 2, 3].map((i) => run(body.replaceAll('$i', String(i)))))
        outs.forEach((o) => expect(JSON.parse(o)).toMatchObject({ phase: 'done', rounds: 3 }))
        continue
      }
      const stdout = await run(l)
      if (l.includes('train create')) vars.$T = (JSON.parse(stdout) as { id: string }).id
      if (l.includes('train status')) expect(JSON.parse(stdout)).toMatchObject({ phase: 'done', round: '3 of 3' })
      if (l.includes('train register')) expect((JSON.parse(stdout) as { id: string }).id).toMatch(/^bc-federated-/)
      if (l.includes('audit verify')) expect(JSON.parse(stdout)).toMatchObject({ valid: true })
    }
    // an edited copy fails at the edited entry
    const log = JSON.parse(readFileSync(join(work, 'audit.json'), 'utf8')) as { entries: { kind: string; time: number }[] }
    expect(log.entries.map((e) => e.kind).filter((k) => k === 'round-aggregated')).toHaveLength(3)
    log.entries[4]!.kind = 'consent-given'
    writeFileSync(join(work, 'tampered.json'), JSON.stringify(log))
    const bad = await runKrain(['audit', 'verify', join(work, 'tampered.json')], { env })
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, firstInvalid: 4 })
  }, 120_000)
})
