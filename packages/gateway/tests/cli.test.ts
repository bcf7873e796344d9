import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { testGateway, wallet } from './helpers/app.js'

const bin = fileURLToPath(new URL('../bin/krain.js', import.meta.url))
const run = promisify(execFile)
const krain = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  }
}

describe('krain CLI', () => {
  let app: FastifyInstance
  let url: string
  beforeAll(async () => {
    app = await testGateway({ policy: { defaults: { roles: ['verifier'] } } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => app.close())

  it('talks to a gateway and prints readable errors', async () => {
    const key = `0x${(0xa11ce000n + 7n).toString(16).padStart(64, '0')}`
    const list = await krain(['models', 'list', '--url', url, '--key', key])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([])
    const denied = await krain(['models', 'register', 'bc', '--task', 'breast_cancer', '--url', url], { KRAIN_KEY: key })
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain(`krain: POLICY_DENIED: "models:register" is not allowed for ${wallet(7).address}`)
    const down = await krain(['models', 'list', '--url', 'http://127.0.0.1:1', '--key', key])
    expect(down.stderr).toContain('cannot reach the gateway')
  })
})
