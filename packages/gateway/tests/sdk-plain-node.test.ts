/**
 * Issue 15, item 1: after `npm install`, the gateway README's first SDK script runs with plain `node`
 * (no tsx, no `source` condition, no `npm run build`) against a live gateway: `@krain/gateway/client`
 * resolves to the esbuild entry the root `postinstall` writes (dist-client/), which is rebuilt here
 * first exactly as `npm install` does, so the test checks the current sources.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { testGateway } from './helpers/app.js'

const run = promisify(execFile)
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')

/** The first ```js block of the README's SDK section: the newcomer's script. */
function firstScript(): string {
  const section = readme.slice(readme.indexOf('## SDK (`@krain/gateway/client`)'))
  const m = /```js\n([\s\S]*?)```/.exec(section)
  if (!m) throw new Error('no js block in the README SDK section')
  return m[1]!
}

describe('the README SDK script under plain node', () => {
  let app: FastifyInstance
  let url: string

  beforeAll(async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    const [cmd, ...args] = pkg.scripts.postinstall!.split(' ')
    expect(cmd).toBe('node')
    await run(process.execPath, args, { cwd: root })
    app = await testGateway()
    url = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is at most 10 lines and runs with `node` from the repository root', async () => {
    const script = firstScript()
    expect(script.trim().split('\n').length).toBeLessThanOrEqual(10)
    // A scratch directory inside the repository, so `@krain/gateway` resolves as in a clone.
    const dir = mkdtempSync(join(root, 'node_modules', '.krain-sdk-'))
    const file = join(dir, 'first.mjs')
    writeFileSync(file, script)
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), KRAIN_URL: url }
    const { stdout } = await run(process.execPath, [file], { cwd: root, env, timeout: 90_000 }).finally(() => rmSync(dir, { recursive: true, force: true }))
    expect(stdout).toMatch(/^gateway ok$/m)
    expect(stdout).toContain("[ '-2.50', '2.50' ]")
  })

  it('resolves @krain/gateway/client to plain JavaScript under node, without the source condition', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('@krain/gateway/client'))"], { cwd: root })
    expect(stdout.trim()).toMatch(/packages\/gateway\/dist-client\/index\.js$/)
  })
})
