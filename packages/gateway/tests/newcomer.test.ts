/**
 * Issue 15, items 2–3: one data directory per gateway (a second live gateway on it is refused with a
 * message naming the first; a stale lock is taken over), `npm start -- --port N` honoured, a relative
 * KRAIN_DATA_DIR taken from where `npm start` was typed, and a port in use refused before anvil starts
 * with a message that says how to choose a port. Each gateway is the real entry in its own process.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, startChildGateway } from './helpers/child-gateway.js'

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url))
const quiet = { KRAIN_CHAIN: 'none', KRAIN_LOG_LEVEL: 'warn', KRAIN_COORDINATOR_KEY: `0x${'c1'.repeat(32)}` }

/** Run a command to its exit (or until it prints `until`, then SIGTERM it); returns its stderr and exit code. */
function runUntil(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string | undefined>; until?: RegExp }): Promise<{ code: number | null; stderr: string; matched: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let stderr = ''
    let matched = false
    const onData = (b: Buffer): void => {
      stderr += b.toString()
      if (opts.until && !matched && opts.until.test(stderr)) {
        matched = true
        process.kill(-child.pid!, 'SIGTERM') // the process group: npm and the gateway under it
      }
    }
    child.stderr!.on('data', onData)
    child.stdout!.on('data', onData)
    child.once('error', reject)
    child.once('exit', (code) => resolvePromise({ code, stderr, matched }))
  })
}

describe('a newcomer starting gateways', () => {
  const dirs: string[] = []
  const stops: (() => Promise<void>)[] = []
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'krain-newcomer-'))
    dirs.push(d)
    return d
  }
  afterAll(async () => {
    for (const s of stops) await s()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('refuses a second live gateway on the same data directory, naming the first', async () => {
    const dataDir = tmp()
    const first = await startChildGateway({ ...quiet, KRAIN_PORT: String(await freePort()), KRAIN_DATA_DIR: dataDir })
    stops.push(first.kill)
    const lock = JSON.parse(readFileSync(join(dataDir, 'gateway.lock'), 'utf8')) as { pid: number; url: string }
    expect(lock).toMatchObject({ pid: first.child.pid, url: first.url })
    const second = await runUntil(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry], { cwd: root, env: { ...process.env, ...quiet, KRAIN_PORT: String(await freePort()), KRAIN_DATA_DIR: dataDir } })
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(`data directory ${dataDir} is in use by another Krain gateway (pid ${first.child.pid}, ${first.url})`)
    expect(second.stderr).toContain('KRAIN_DATA_DIR=<dir>')
    await first.kill()
  }, 300_000)

  it('takes over a stale lock whose process is gone', async () => {
    const dataDir = tmp()
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    writeFileSync(join(dataDir, 'gateway.lock'), JSON.stringify({ pid: Number(gone.stdout), startedAt: new Date().toISOString() }))
    const g = await startChildGateway({ ...quiet, KRAIN_PORT: String(await freePort()), KRAIN_DATA_DIR: dataDir })
    stops.push(g.kill)
    expect((JSON.parse(readFileSync(join(dataDir, 'gateway.lock'), 'utf8')) as { pid: number }).pid).toBe(g.child.pid)
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200)
    await g.kill()
  }, 300_000)

  it('`npm start -- --port N` listens on N, with a relative KRAIN_DATA_DIR under the directory npm start was typed in', async () => {
    const port = await freePort()
    const rel = `node_modules/.krain-newcomer-${process.pid}`
    dirs.push(join(root, rel))
    const r = await runUntil('npm', ['start', '--', '--port', String(port)], { cwd: root, env: { ...process.env, ...quiet, KRAIN_DATA_DIR: rel, INIT_CWD: undefined }, until: /listening on http:\/\/\S+/ })
    expect(r.matched).toBe(true)
    expect(r.stderr).toContain(`listening on http://127.0.0.1:${port} `)
    expect(r.stderr).toContain(`data: ${join(root, rel)}`)
    expect(existsSync(join(root, rel, 'krain.db'))).toBe(true)
    expect(existsSync(join(root, 'packages/gateway', rel))).toBe(false)
  }, 300_000)

  it('refuses a port in use before starting anvil, saying how to choose one', async () => {
    const blocker: Server = createServer()
    const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)))
    try {
      const r = await runUntil(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry, '--port', String(port)], { cwd: root, env: { ...process.env, KRAIN_LOG_LEVEL: 'warn', KRAIN_DATA_DIR: tmp() } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`)
      expect(r.stderr).toContain('npm start -- --port')
      expect(r.stderr).not.toContain('starting anvil')
    } finally {
      blocker.close()
    }
  }, 300_000)

  it('rejects an unknown start option with the list of options', async () => {
    const r = await runUntil(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry, '--prot', '9'], { cwd: root, env: { ...process.env, ...quiet, KRAIN_DATA_DIR: tmp() } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Unknown option '--prot'/)
    expect(r.stderr).toContain('--port <n>')
  }, 300_000)
})
