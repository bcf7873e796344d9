/**
 * Keeps the root README's "three hospitals training a model together" lines true: every
 * `npx krain train …`, `audit …`, `prove …`, `verify …` and `models circuit …` line of that block
 * runs as written (the CLI as its own process, three hospitals joining in parallel) against a
 * gateway on a real socket with an anvil chain; the joint model's proof verifies off-chain and
 * on-chain, the audit log verifies offline and an edited copy fails at the edited entry. (The
 * `infer` line runs the same encrypted-inference path the SDK test exercises on the registered
 * joint model.)
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { privateKeyToAccount } from 'viem/accounts'
import { closeProvers } from '@krain/zk'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { runKrain } from './helpers/krain-bin.js'
import { testGateway } from './helpers/app.js'

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

/** The `npx krain train|audit|prove|verify|models circuit` lines of the README's federated block. */
function trainLines(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('and the same three hospitals training a model together')
  expect(start).toBeGreaterThan(0)
  const block = readme.slice(readme.indexOf('```sh\n', start) + 6, readme.indexOf('```\n', readme.indexOf('```sh\n', start) + 6))
  return block.split('\n').filter((l) => /^(for i in 1 2 3; do )?npx krain .*(train|audit|prove|verify|models circuit) /.test(l))
}

describe('root README: three hospitals train, register, prove, audit (CLI)', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let url: string
  const work = mkdtempSync(join(tmpdir(), 'krain-fed-readme-'))
  const keys = [1, 2, 3].map((i) => `0x${(0xfed100n + BigInt(i)).toString(16).padStart(64, '0')}`)
  beforeAll(async () => {
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    // the gateway names its chain (what the embedded anvil of npm start does), so `krain verify` needs no --rpc
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50, publicRpcUrl: chain.rpcUrl } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    keys.forEach((k, i) => writeFileSync(join(work, `h${i + 1}.key`), `${k}\n`))
    // the wallet of the README's section 1 (`npx krain keys new`): the default .krain/wallet.key of the working directory
    mkdirSync(join(work, '.krain'))
    writeFileSync(join(work, '.krain', 'wallet.key'), `0x${(0xfed200n).toString(16).padStart(64, '0')}\n`)
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await chain?.stop()
    await closeProvers()
  })

  it('runs the README lines as written and the audit log verifies offline', async () => {
    const lines = trainLines()
    expect(lines.length).toBeGreaterThanOrEqual(8)
    expect(lines.some((l) => l.startsWith('npx krain prove $('))).toBe(true)
    expect(lines.some((l) => l.startsWith('npx krain verify '))).toBe(true)
    const vars: Record<string, string> = { $PARTIES: keys.map((k) => privateKeyToAccount(k as `0x${string}`).address).join(',') }
    const env = { KRAIN_URL: url }
    const argv = (l: string): { args: string[]; out?: string } => {
      let s = l.replace(/\s+#.*$/, '').replace(/^npx krain /, '')
      s = s.replaceAll("$(grep -o 'bc-federated-[0-9a-f]*' joint.json | head -1)", '$MODEL')
      for (const [k, v] of Object.entries(vars)) s = s.replaceAll(k, v)
      s = s.replaceAll('.krain/h', `${work}/h`)
      const redirect = s.match(/\s>\s*(\S+)\s*$/)
      if (redirect) s = s.slice(0, redirect.index)
      const args = [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2])!)
      return { args, ...(redirect ? { out: join(work, redirect[1]!) } : {}) }
    }
    const run = async (l: string): Promise<string> => {
      const { args, out } = argv(l)
      const r = await runKrain(args.map((a) => (a.endsWith('.json') && !a.startsWith('/') ? join(work, a) : a)), { env, cwd: work })
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
      if (l.includes('train register')) {
        vars.$MODEL = (JSON.parse(stdout) as { id: string }).id
        expect(vars.$MODEL).toMatch(/^bc-federated-/)
        // what the README's `$(grep …)` picks out of joint.json is the registered id
        expect(readFileSync(join(work, 'joint.json'), 'utf8').match(/bc-federated-[0-9a-f]*/)?.[0]).toBe(vars.$MODEL)
      }
      if (l.startsWith('npx krain prove ')) expect((JSON.parse(stdout) as { receipt: { txHash: string } }).receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/)
      if (l.startsWith('npx krain verify ')) expect(JSON.parse(stdout)).toMatchObject({ valid: true, offChain: true, onChain: true })
      if (l.includes('audit verify')) expect(JSON.parse(stdout)).toMatchObject({ valid: true })
    }
    // an edited copy fails at the edited entry
    const log = JSON.parse(readFileSync(join(work, 'audit.json'), 'utf8')) as { entries: { kind: string; time: number }[] }
    expect(log.entries.map((e) => e.kind).filter((k) => k === 'round-aggregated')).toHaveLength(3)
    log.entries[4]!.kind = 'consent-given'
    writeFileSync(join(work, 'tampered.json'), JSON.stringify(log))
    const bad = await runKrain(['audit', 'verify', join(work, 'tampered.json')], { env, cwd: work })
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, firstInvalid: 4 })
  }, 240_000)
})
