/**
 * Issue 15, item 5: what `krain mpc join|status` print: whom a round waits for and how long is left,
 * deadlines as local times, the aggregate decoded (fixed point kept aside), verified/liarTolerance explained.
 */
import { describe, expect, it } from 'vitest'
import type { AggregateResult } from '@krain/mpc'
import { describeWait, explainAggregate, localTime, withLocalTimes, type SessionStatusView } from '../src/cli/mpc-output.js'

const now = new Date(2026, 10, 30, 18, 39, 14).getTime()
const a = (i: number): string => `0x${String(i).repeat(40)}`
const status = (over: Partial<SessionStatusView>): SessionStatusView => ({
  phase: 'join',
  joined: [a(1), a(2)],
  uploaded: [],
  summed: [],
  config: { parties: [a(1), a(2), a(3)], threshold: 2, scale: 65536, deadlines: { join: now + 58_000, share: now + 120_000, sum: now + 180_000 } },
  ...over,
})

describe('mpc CLI output', () => {
  it('says how many parties a round still waits for, until when, and how long is left', () => {
    expect(describeWait(status({}), now)).toBe(`join: waiting for 1 more party (2/3 in; until ${localTime(now + 58_000, now)}, 58 s left)`)
    expect(describeWait(status({ phase: 'share', joined: [a(1), a(2), a(3)], uploaded: [a(1)] }), now)).toContain('share: waiting for 2 more parties (1/3 in;')
    expect(describeWait(status({ phase: 'done' }), now)).toBeNull()
  })

  it('prints deadlines as local times of day', () => {
    expect(localTime(now + 58_000, now)).toMatch(/^18:40:12$/)
    const s = withLocalTimes(status({}), now)
    expect(s.deadlinesLocal.join).toBe('18:40:12')
    expect(s.config.deadlines.join).toBe(now + 58_000)
    expect(s.waiting).toContain('58 s left')
  })

  it('shows the sum decoded and explains verified and liarTolerance', () => {
    const r: AggregateResult = { type: 'result', sessionId: `0x${'ab'.repeat(32)}`, contributors: [a(1), a(2), a(3)] as never, sumShareHolders: [a(1), a(2), a(3)] as never, cheaters: [], verified: true, liarTolerance: 1, sum: ['753664', '1507328', '1802240'], values: [11.5, 23, 27.5] }
    const e = explainAggregate(r, 2)
    expect(Object.keys(e).slice(0, 2)).toEqual(['verification', 'values'])
    expect(e.values).toEqual([11.5, 23, 27.5])
    expect(e).not.toHaveProperty('sum')
    expect(e.sumFixedPoint).toEqual(r.sum)
    expect(e.verifiedMeans).toBe('3 sum-shares agreed on one polynomial where 2 suffice: the extra ones cross-checked the sum')
    expect(e.liarToleranceMeans).toBe('the sum is right unless more than 1 sum-share holder lied in concert')
    const u = explainAggregate({ ...r, verified: false, liarTolerance: 0, sumShareHolders: r.sumShareHolders.slice(0, 2) }, 2)
    expect(u.verification).toBe('UNVERIFIED')
    expect(u.verifiedMeans).toContain('nothing cross-checked the sum')
    expect(u.liarToleranceMeans).toBe('no lie would have been detected')
  })
})

/**
 * The same through the real `krain` binary against a live gateway: three of four hospitals join
 * (in parallel, in one terminal), each line labelled with its party; while the fourth is missing
 * each says "waiting for 1 more party (… s left)"; the creator closes the round with `krain mpc
 * close`; the three get the decoded sum with verified/liarTolerance explained.
 */
describe('mpc join through the krain binary', () => {
  it('labels parties, says whom a round waits for, closes with mpc close, prints the sum decoded', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { spawn } = await import('node:child_process')
    const { testGateway, wallet } = await import('./helpers/app.js')
    const { runKrain, krainBin } = await import('./helpers/krain-bin.js')
    const app = await testGateway()
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const work = mkdtempSync(join(tmpdir(), 'krain-mpc-cli-'))
    const key = (i: number): string => `0x${(0xa11ce000n + BigInt(i)).toString(16).padStart(64, '0')}`
    const env = { KRAIN_URL: url }
    try {
      const parties = [1, 2, 3, 4].map((i) => wallet(110 + i).address)
      const created = await runKrain(['mpc', 'create', '--parties', parties.join(','), '--length', '3', '--bound', '100', '--threshold', '2'], { cwd: work, env: { ...env, KRAIN_KEY: key(111) } })
      expect(created.code, created.stderr).toBe(0)
      const sessionId = (JSON.parse(created.stdout) as { sessionId: string }).sessionId
      const vectors = [[1, 2.5, -3], [10, 20, 30], [0.5, 0.5, 0.5]]
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KRAIN_')))
      const joins = vectors.map((v, i) => {
        writeFileSync(join(work, `v${i}.json`), JSON.stringify(v))
        const child = spawn(process.execPath, [krainBin, 'mpc', 'join', sessionId, '--values', `v${i}.json`], { cwd: work, env: { ...base, ...env, KRAIN_KEY: key(111 + i) }, stdio: ['ignore', 'pipe', 'pipe'] })
        const r = { stdout: '', stderr: '', code: null as number | null, done: new Promise<void>((res) => child.once('exit', (c) => ((r.code = c), res()))) }
        child.stdout!.on('data', (b: Buffer) => (r.stdout += b.toString()))
        child.stderr!.on('data', (b: Buffer) => (r.stderr += b.toString()))
        return r
      })
      // each joiner, while the fourth party is missing, says so with the time left
      for (let t = 0; t < 600 && !joins.every((j) => /waiting for 1 more party \(3\/4 in; until \d\d:\d\d:\d\d, \d+ (s|min) left\)/.test(j.stderr)); t++) await new Promise((r) => setTimeout(r, 250))
      const closed = await runKrain(['mpc', 'close', sessionId], { cwd: work, env: { ...env, KRAIN_KEY: key(111) } })
      expect(closed.code, closed.stderr).toBe(0)
      await Promise.all(joins.map((j) => j.done))
      joins.forEach((j, i) => {
        expect(j.code, j.stderr).toBe(0)
        expect(j.stderr).toMatch(/waiting for 1 more party \(3\/4 in; until \d\d:\d\d:\d\d, \d+ (s|min) left\)/)
        // every line of a party carries its label (its address), so parallel parties are told apart
        const label = `party ${wallet(111 + i).address.slice(0, 8)}…`
        expect(j.stderr.split('\n').filter((l) => l.startsWith('mpc ')).every((l) => l.includes(label))).toBe(true)
        const out = JSON.parse(j.stdout) as { verification: string; values: number[]; verifiedMeans: string; liarToleranceMeans: string; sumFixedPoint: string[] }
        expect(out.values).toEqual([11.5, 23, 27.5])
        expect(out.verification).toBe('verified')
        expect(out.verifiedMeans).toBe('3 sum-shares agreed on one polynomial where 2 suffice: the extra ones cross-checked the sum')
        expect(out.liarToleranceMeans).toBe('the sum is right unless more than 1 sum-share holder lied in concert')
      })
    } finally {
      await app.close()
      rmSync(work, { recursive: true, force: true })
    }
  }, 180_000)
})
