/**
 * Issue 15, item 7: what `npm start` prints. On a TTY (or KRAIN_LOG_FORMAT=pretty): one short line
 * per finished request and no raw JSON; piped (or KRAIN_LOG_FORMAT=json): one JSON object per line.
 * The real server entry runs in its own process with its stdout piped, as a log collector sees it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { isPretty, prettyLine } from '../src/log/log-format.js'
import { freePort } from './helpers/child-gateway.js'

const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url))
const pkgDir = fileURLToPath(new URL('..', import.meta.url))

/** Start the server with `env`, make two requests, stop it; its stdout. */
async function stdoutOf(env: Record<string, string>): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'krain-logs-'))
  dirs.push(dataDir)
  const port = await freePort()
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry], { cwd: pkgDir, env: { ...process.env, KRAIN_CHAIN: 'none', KRAIN_PORT: String(port), KRAIN_DATA_DIR: dataDir, KRAIN_LOG_LEVEL: 'info', KRAIN_COORDINATOR_KEY: `0x${'c1'.repeat(32)}`, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()))
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString()
      if (/listening on http/.test(stderr)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)))
  })
  await fetch(`http://127.0.0.1:${port}/v1/models`)
  await fetch(`http://127.0.0.1:${port}/v1/jobs/nope`)
  await new Promise((r) => setTimeout(r, 300)) // let pino flush its line
  const gone = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await gone
  return stdout
}
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

describe('npm start output', () => {
  it('pretty: one short line per request, no JSON; piped: JSON lines', async () => {
    const pretty = await stdoutOf({ KRAIN_LOG_FORMAT: 'pretty' })
    const lines = pretty.trim().split('\n')
    expect(lines.some((l) => /^\d\d:\d\d:\d\d GET \/v1\/models 200 [\d.]+ ms$/.test(l))).toBe(true)
    expect(lines.some((l) => /^\d\d:\d\d:\d\d GET \/v1\/jobs\/nope 401 [\d.]+ ms$/.test(l))).toBe(true)
    expect(lines.filter((l) => l.includes('/v1/models'))).toHaveLength(1) // not "incoming request" and "request completed"
    expect(pretty).not.toContain('{"level"')
    const piped = await stdoutOf({}) // auto, stdout is a pipe
    const json = piped.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; req?: { url: string } })
    expect(json.some((o) => o.msg === 'request completed')).toBe(true)
  }, 90_000)

  it('formats lines and picks the format', () => {
    const requests = new Map()
    expect(prettyLine(JSON.stringify({ level: 30, time: 0, reqId: 'req-1', msg: 'incoming request', req: { method: 'GET', url: '/x' } }), requests)).toBeNull()
    expect(prettyLine(JSON.stringify({ level: 30, time: 0, reqId: 'req-1', msg: 'request completed', res: { statusCode: 204 }, responseTime: 12.34 }), requests)).toMatch(/^\d\d:\d\d:\d\d GET \/x 204 12 ms$/)
    expect(requests.size).toBe(0)
    expect(prettyLine(JSON.stringify({ level: 40, time: 0, msg: 'chain RPC unreachable: serving without it, retrying', retryInMs: 1000 }))).toMatch(/^\d\d:\d\d:\d\d WARN chain RPC unreachable: serving without it, retrying retryInMs=1000$/)
    expect(isPretty('auto', true)).toBe(true)
    expect(isPretty('auto', false)).toBe(false)
    expect(isPretty('json', true)).toBe(false)
    expect(isPretty('pretty', false)).toBe(true)
  })
})
