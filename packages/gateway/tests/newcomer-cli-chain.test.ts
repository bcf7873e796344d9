/**
 * Issue 15, items 4 and 6 (the chain half), through the real `krain` binary against a live gateway
 * with an anvil chain: `prove` shows every job state as it happens and takes `--input` inline or as a
 * file; `jobs list|show|receipt`; `verify <jobId>` and `verify receipt.json` need no `--rpc` (the
 * gateway names its chain; receipts name theirs); a stale receipt (a chain without its record), a
 * changed receipt and a receipt with no chain to ask each say why they are not valid; a model that
 * cannot be proven says so, and why, at registration.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask } from '@krain/models'
import { closeProvers } from '@krain/zk'
import { startAnvil } from '@krain/chain'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { testGateway } from './helpers/app.js'
import { runKrain } from './helpers/krain-bin.js'

describe('krain prove, jobs and verify against a live gateway and chain', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let env: Record<string, string>
  let modelId: string
  let jobId: string
  const work = mkdtempSync(join(tmpdir(), 'krain-cli-chain-'))
  const krain = (args: string[], more: Record<string, string | undefined> = {}) => runKrain(args, { cwd: work, env: { ...env, ...more } })
  const row = breastCancerTask().test.x[3]!

  beforeAll(async () => {
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50, publicRpcUrl: chain.rpcUrl } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    env = { KRAIN_URL: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, KRAIN_KEY: `0x${(0xa11ce000n + 71n).toString(16).padStart(64, '0')}` }
    const reg = await krain(['models', 'register', 'bc', '--task', 'breast_cancer'])
    expect(reg.code, reg.stderr).toBe(0)
    modelId = (JSON.parse(reg.stdout) as { id: string }).id
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await chain?.stop()
    await closeProvers()
    rmSync(work, { recursive: true, force: true })
  })

  it('prove shows queued → proving → proved → submitted → confirmed, with --input inline or a file', async () => {
    const p = await krain(['prove', modelId, '--input', JSON.stringify(row)])
    expect(p.code, p.stderr).toBe(0)
    const states = [...p.stderr.matchAll(/^job \S+: (queued|proving|proved|submitted|confirmed)\b/gm)].map((m) => m[1])
    expect(states).toEqual(['queued', 'proving', 'proved', 'submitted', 'confirmed'])
    const receipt = JSON.parse(p.stdout) as { jobId: string; receipt: { chainId: number; registry: string; rpcUrl?: string } }
    jobId = receipt.jobId
    // the receipt names its chain: id, registry, and where to read it
    expect(receipt.receipt).toMatchObject({ chainId: 31337, registry: chain.registryAddress, rpcUrl: chain.rpcUrl })
    writeFileSync(join(work, 'row.json'), JSON.stringify([row]))
    const fromFile = await krain(['prove', modelId, '--input', 'row.json', '--no-wait'])
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect((JSON.parse(fromFile.stdout) as { state: string }).state).toMatch(/^(queued|proving|proved|submitted|confirmed)$/)
  }, 120_000)

  it('jobs list|show|receipt', async () => {
    const list = await krain(['jobs', 'list'])
    expect(list.code, list.stderr).toBe(0)
    const jobs = JSON.parse(list.stdout) as { id: string; state: string; modelId: string; created: string }[]
    expect(jobs.length).toBeGreaterThanOrEqual(2)
    expect(jobs.find((j) => j.id === jobId)).toMatchObject({ state: 'confirmed', modelId })
    const show = await krain(['jobs', 'show', jobId])
    expect(JSON.parse(show.stdout)).toMatchObject({ id: jobId, state: 'confirmed', result: { proof: expect.stringContaining('present') } })
    const r = await krain(['jobs', 'receipt', jobId, '--out', 'receipt.json'])
    expect(r.code, r.stderr).toBe(0)
    expect((JSON.parse(readFileSync(join(work, 'receipt.json'), 'utf8')) as { jobId: string }).jobId).toBe(jobId)
    const other = await krain(['jobs', 'list'], { KRAIN_KEY: `0x${(0xa11ce000n + 72n).toString(16).padStart(64, '0')}` })
    expect(JSON.parse(other.stdout)).toEqual([]) // another wallet sees none of them
  }, 120_000)

  it('verify <jobId> and verify receipt.json need no --rpc: the gateway names its chain', async () => {
    const byId = await krain(['verify', jobId])
    expect(byId.code, byId.stderr).toBe(0)
    expect(byId.stderr).toContain(`from the gateway at ${env.KRAIN_URL} (chain 31337)`)
    expect(JSON.parse(byId.stdout)).toMatchObject({ valid: true, offChain: true, onChain: true, recordedByReceiptTx: true, reasons: [] })
    const byFile = await krain(['verify', 'receipt.json'])
    expect(JSON.parse(byFile.stdout)).toMatchObject({ valid: true })
  }, 60_000)

  it('a stale receipt, a changed one, and one with no chain to ask each say why', async () => {
    // a fresh chain (what a restarted anvil is): the registry is there again, the record is not
    const fresh = await startEmbeddedChain()
    try {
      const stale = await krain(['verify', 'receipt.json', '--rpc', fresh.rpcUrl])
      expect(stale.code).toBe(2)
      const v = JSON.parse(stale.stdout) as { valid: boolean; reasons: string[] }
      expect(v.valid).toBe(false)
      expect(v.reasons.join('\n')).toMatch(/no (record of this inference|InferenceRegistry contract)/)
      expect(v.reasons.join('\n')).toMatch(/stale/)
      expect(stale.stderr).toContain('krain: not valid: ')
    } finally {
      await fresh.stop()
    }
    // another chain altogether (its id is not the receipt's)
    const other = await startAnvil({ chainId: 1337 })
    try {
      const wrong = await krain(['verify', 'receipt.json', '--rpc', other.rpcUrl])
      expect(wrong.code).toBe(2)
      expect((JSON.parse(wrong.stdout) as { reasons: string[] }).reasons).toEqual([`wrong chain: the receipt was recorded on chain 31337, ${other.rpcUrl} (chain 1337) is another chain`])
    } finally {
      await other.stop()
    }
    const receipt = JSON.parse(readFileSync(join(work, 'receipt.json'), 'utf8')) as { publicSignals: string[]; receipt: Record<string, unknown> }
    writeFileSync(join(work, 'changed.json'), JSON.stringify({ ...receipt, publicSignals: [receipt.publicSignals[0] === '1' ? '0' : '1', ...receipt.publicSignals.slice(1)] }))
    const changed = await krain(['verify', 'changed.json'])
    expect(changed.code).toBe(2)
    const c = JSON.parse(changed.stdout) as { valid: boolean; offChain: boolean; reasons: string[] }
    expect(c).toMatchObject({ valid: false, offChain: false })
    expect(c.reasons.join('\n')).toContain('does not verify off-chain')
    expect(c.reasons.join('\n')).toContain('no record of this inference')
    // no --rpc, no reachable gateway, no hint in the receipt: a typed error that says what to pass
    writeFileSync(join(work, 'nohint.json'), JSON.stringify({ ...receipt, receipt: { ...receipt.receipt, rpcUrl: undefined } }))
    const none = await krain(['verify', 'nohint.json', '--url', 'http://127.0.0.1:1'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/^krain: CLI_NO_RPC: no chain RPC to verify against/m)
    expect(none.stderr).toContain('pass --rpc')
  }, 90_000)

  it('a model that cannot be proven says so, and why, at registration', async () => {
    // 600 → 100 → 2: about 60,000 weights, far beyond what the powers of tau here allow
    let s = 7
    const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) / 10
    const layer = (n: number, m: number, activation: string) => ({ weights: Array.from({ length: m }, () => Array.from({ length: n }, () => Number(rnd().toFixed(4)))), bias: Array.from({ length: m }, () => 0), activation })
    writeFileSync(join(work, 'big.json'), JSON.stringify({ kind: 'network', layers: [layer(600, 100, 'identity'), layer(100, 2, 'identity')], head: 'argmax' }))
    const r = await krain(['models', 'register', 'big', '--file', 'big.json'])
    expect(r.code, r.stderr).toBe(0)
    // without calibration rows its inputs have no range to quantise: not provable, and the reason given
    expect(r.stderr).toMatch(/^ {2}provable: no \(.*calibration.*\)$/m)
    expect((JSON.parse(r.stdout) as { proving: { provable: boolean; reason: string } }).proving).toMatchObject({ provable: false, reason: expect.stringContaining('calibration') })
    // with them, the size is the reason
    writeFileSync(join(work, 'big.csv'), Array.from({ length: 4 }, (_, i) => Array.from({ length: 600 }, (_, j) => ((i + j) % 7) - 3).join(',')).join('\n'))
    const sized = await krain(['models', 'register', 'big2', '--file', 'big.json', '--calibration', 'big.csv'])
    expect(sized.code, sized.stderr).toBe(0)
    expect(sized.stderr).toMatch(/^ {2}provable: no \(the circuit needs about \d+ constraints; the largest powers of tau here allows \d+ \(prepare or import a larger one: krain zk ptau\)\)$/m)
  }, 120_000)
})
