/**
 * `krain psi create|join|status` through the real binary: two institutions, cardinality and
 * intersection, progress on stderr.
 */
import { describe, expect, it } from 'vitest'

describe('psi through the krain binary', () => {
  it('creates a session, both parties join with identifier files, the leader prints the intersection', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { testGateway, wallet } = await import('./helpers/app.js')
    const { runKrain } = await import('./helpers/krain-bin.js')
    const app = await testGateway()
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const work = mkdtempSync(join(tmpdir(), 'krain-psi-cli-'))
    const key = (i: number): string => `0x${(0xa11ce000n + BigInt(i)).toString(16).padStart(64, '0')}`
    const env = (i: number) => ({ KRAIN_URL: url, KRAIN_KEY: key(i) })
    try {
      const parties = [201, 202].map((i) => wallet(i).address)
      const created = await runKrain(['psi', 'create', '--parties', parties.join(','), '--mode', 'intersection'], { cwd: work, env: env(201) })
      expect(created.code, created.stderr).toBe(0)
      const sessionId = (JSON.parse(created.stdout) as { sessionId: string }).sessionId
      writeFileSync(join(work, 'a.txt'), ['p1', 'p2', 'p3', 'p4', ''].join('\n'))
      writeFileSync(join(work, 'b.txt'), ['p4', 'p9', 'p2'].join('\n'))
      const [a, b] = await Promise.all([
        runKrain(['psi', 'join', sessionId, '--ids', 'a.txt', '--chunk', '2'], { cwd: work, env: env(201) }),
        runKrain(['psi', 'join', sessionId, '--ids', 'b.txt', '--chunk', '2'], { cwd: work, env: env(202) }),
      ])
      expect(a.code, a.stderr).toBe(0)
      expect(b.code, b.stderr).toBe(0)
      expect(JSON.parse(a.stdout)).toMatchObject({ role: 'leader', mode: 'intersection', intersection: ['p2', 'p4'], cardinality: 2, intersectionSize: 2 })
      expect(JSON.parse(b.stdout)).toEqual({ role: 'forwarder', mode: 'intersection' })
      expect(a.stderr).toMatch(/compare final-0: \d/)
      const status = await runKrain(['psi', 'status', sessionId], { cwd: work, env: env(202) })
      expect(status.code, status.stderr).toBe(0)
      expect((JSON.parse(status.stdout) as { streams: { last: boolean }[] }).streams.every((s) => s.last)).toBe(true)
      const bad = await runKrain(['psi', 'create', '--parties', parties.join(','), '--mode', 'union'], { cwd: work, env: env(201) })
      expect(bad.code).not.toBe(0)
      expect(bad.stderr).toMatch(/--mode must be one of/)
    } finally {
      await app.close()
      rmSync(work, { recursive: true, force: true })
    }
  }, 180_000)
})
