/**
 * Issue 15, item 6 (the half without a chain), through the real `krain` binary against a live
 * gateway: `infer` is encrypted without asking and takes `--input` inline or as a file; a row of the
 * wrong width is refused before any key is made or uploaded (nothing stored); evaluation-key bundles
 * are listed and deleted with `krain keys bundles`, and expire; `krain auth token` prints a token
 * curl can use; `krain mpc close`; `keys new` never writes a key into a git work tree unignored;
 * every error is `krain: CODE: message`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { breastCancerTask } from '@krain/models'
import { openStore } from '../src/store/sql-store.js'
import { testGateway, wallet } from './helpers/app.js'
import { runKrain } from './helpers/krain-bin.js'
import { freePort } from './helpers/child-gateway.js'

const key = (i: number): string => `0x${(0xa11ce000n + BigInt(i)).toString(16).padStart(64, '0')}`

describe('krain CLI gaps (issue 15.6)', () => {
  let app: FastifyInstance
  let env: Record<string, string>
  let modelId: string
  const work = mkdtempSync(join(tmpdir(), 'krain-cli-'))
  const krain = (args: string[], more: Record<string, string | undefined> = {}, cwd = work) => runKrain(args, { cwd, env: { ...env, ...more } })
  const rows = breastCancerTask().test.x.slice(0, 1)

  beforeAll(async () => {
    app = await testGateway({ config: { adminAddress: wallet(81).address } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    env = { KRAIN_URL: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, KRAIN_KEY: key(80) }
    const reg = await krain(['models', 'register', 'bc', '--task', 'breast_cancer'])
    expect(reg.code, reg.stderr).toBe(0)
    modelId = (JSON.parse(reg.stdout) as { id: string }).id
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('infer is encrypted without --encrypted, takes --input inline or as a file, and refuses a wrong width before making keys', async () => {
    const inline = await krain(['infer', modelId, '--input', JSON.stringify(rows[0])])
    expect(inline.code, inline.stderr).toBe(0)
    expect(inline.stderr).toContain('generating keys')
    expect((JSON.parse(inline.stdout) as { labels: number[] }).labels).toHaveLength(1)
    // (the file form, `--input rows.json`, is the README's own line: cli-readme.test.ts runs it)
    const before = (JSON.parse((await krain(['keys', 'bundles'])).stdout) as { bundles: unknown[] }).bundles.length
    expect(before).toBe(1) // the run above uploaded its evaluation keys
    const wide = await krain(['infer', modelId, '--input', '[1, 2, 3]'])
    expect(wide.code).toBe(1)
    expect(wide.stderr).toMatch(/^krain: INVALID_ARGUMENT: "rows\[0\]" expected 30 features \(the model's input width\), got 3$/m)
    expect(wide.stderr).not.toContain('generating keys')
    const after = JSON.parse((await krain(['keys', 'bundles'])).stdout) as { bundles: { keyId: string; size: string; uploaded: string; expires: string }[]; totalBytes: number }
    expect(after.bundles).toHaveLength(before) // the refused call stored nothing
    expect(after.bundles[0]).toMatchObject({ size: expect.stringMatching(/MiB$/), expires: expect.any(String) })
    const del = await krain(['keys', 'bundles', '--delete', after.bundles[0]!.keyId])
    expect(JSON.parse(del.stdout)).toEqual({ deleted: [after.bundles[0]!.keyId] })
    const all = await krain(['keys', 'bundles', '--delete-all'])
    expect(JSON.parse(all.stdout)).toEqual({ deleted: [] })
    expect((JSON.parse((await krain(['keys', 'bundles'])).stdout) as { bundles: unknown[] }).bundles).toEqual([])
  }, 240_000)

  it('auth token prints a session token that curl (or /docs) can use', async () => {
    const r = await krain(['auth', 'token'])
    expect(r.code, r.stderr).toBe(0)
    const token = r.stdout.trim()
    expect(r.stderr).toContain('authorization: Bearer $TOKEN')
    const me = await fetch(`${env.KRAIN_URL}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(me.status).toBe(200)
    expect((await me.json()) as { address: string }).toMatchObject({ address: wallet(80).address })
  }, 60_000)

  it('mpc close closes the round now and shows the session', async () => {
    const parties = [1, 2, 3].map((i) => wallet(90 + i).address).join(',')
    const created = await krain(['mpc', 'create', '--parties', parties, '--length', '2', '--bound', '10'], { KRAIN_KEY: key(91) })
    expect(created.code, created.stderr).toBe(0)
    const sessionId = (JSON.parse(created.stdout) as { sessionId: string }).sessionId
    const notCreator = await krain(['mpc', 'close', sessionId], { KRAIN_KEY: key(92) })
    expect(notCreator.code).toBe(1)
    expect(notCreator.stderr).toMatch(/^krain: [A-Z][A-Z0-9_]+: /m)
    const closed = await krain(['mpc', 'close', sessionId], { KRAIN_KEY: key(91) })
    expect(closed.code, closed.stderr).toBe(0)
    const c = JSON.parse(closed.stdout) as { closed: boolean; phase: string; session: { phase: string; deadlinesLocal: Record<string, string> } }
    expect(c.closed).toBe(true)
    expect(c.session.phase).toBe(c.phase)
    expect(c.phase).not.toBe('join') // no party joined: the join round is over (the session failed)
  }, 60_000)

  it('keys new refuses a path in a git work tree that git does not ignore; .krain/ ignores itself', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'krain-repo-'))
    try {
      spawnSync('git', ['init', '-q', repo])
      const refused = await krain(['keys', 'new', '--out', 'h1.key'], {}, repo)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^krain: CLI_UNSAFE_KEY_PATH: h1\.key is inside the git work tree .* and not ignored/m)
      expect(refused.stderr).toContain('--out .krain/h1.key')
      expect(existsSync(join(repo, 'h1.key'))).toBe(false)
      const ok = await krain(['keys', 'new', '--out', '.krain/h1.key'], {}, repo)
      expect(ok.code, ok.stderr).toBe(0)
      expect(statSync(join(repo, '.krain/h1.key')).mode & 0o777).toBe(0o600)
      expect(spawnSync('git', ['-C', repo, 'status', '--porcelain'], { encoding: 'utf8' }).stdout).toBe('') // nothing to commit: ignored
      writeFileSync(join(repo, '.gitignore'), 'secret.key\n')
      expect((await krain(['keys', 'new', '--out', 'secret.key'], {}, repo)).code).toBe(0)
      const shown = await krain(['keys', 'show', '--key-file', '.krain/h1.key'], { KRAIN_KEY: undefined }, repo)
      expect(JSON.parse(shown.stdout)).toEqual({ address: (JSON.parse(ok.stdout) as { address: string }).address })
    } finally {
      rmSync(repo, { recursive: true, force: true })
    }
  }, 60_000)

  it('every error is printed as krain: CODE: message', async () => {
    const closedPort = await freePort()
    const cases: [string[], Record<string, string | undefined>, RegExp][] = [
      [['infer', modelId, '--bogus'], {}, /^krain: CLI_USAGE: unknown option '--bogus'/m],
      [['jobs', 'list'], { KRAIN_KEY: undefined }, /^krain: CLI_NO_KEY: no wallet key\n {2}pass --key/m],
      [['prove', modelId, '--input', 'nope.json'], {}, /^krain: CLI_INPUT: --input: "nope.json" is neither a file nor inline JSON/m],
      [['prove', modelId, '--input', '[1, 2'], {}, /^krain: CLI_INPUT: --input: inline JSON does not parse/m],
      [['prove', modelId, '--input', '[[1], [2]]'], {}, /^krain: CLI_INPUT: --input: expected one feature row, got 2/m],
      [['infer', modelId], {}, /^krain: CLI_USAGE: pass --input or --task/m],
      [['jobs', 'show', 'no-such-job'], {}, /^krain: NOT_FOUND: /m],
      [['models', 'list'], { KRAIN_URL: `http://127.0.0.1:${closedPort}` }, new RegExp(`^krain: GATEWAY_UNREACHABLE: cannot reach the gateway at http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\); is it running\\?`, 'm')],
    ]
    for (const [args, more, expected] of cases) {
      const r = await krain(args, more)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr, args.join(' ')).toMatch(expected)
    }
  }, 120_000)
})

describe('evaluation-key bundles expire', () => {
  it('deletes bundles older than KRAIN_KEY_BUNDLE_TTL when the gateway starts, and never lists them', async () => {
    const store = await openStore(':memory:')
    const now = Date.now()
    const put = (id: string, createdAt: number) => store.putKey({ id, owner: wallet(85).address, scheme: 'ckks', params: { paramsId: 'p', polyModulusDegree: 8192, galoisSteps: [], relin: true }, bundle: Buffer.alloc(16), size: 16, createdAt })
    await put('old', now - 2 * 3600_000)
    await put('fresh', now - 60_000)
    const app = await testGateway({ store, config: { keyBundleTtlSeconds: 3600 } })
    try {
      expect(await store.getKey('old')).toBeNull()
      expect(await store.getKey('fresh')).not.toBeNull()
    } finally {
      await app.close()
      await store.close()
    }
  })
})
