/**
 * Issue 12 (items 5, 7, 8, 9) and issue 17.1 on the gateway: each `describe` holds the test that
 * failed on the old main.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { InvalidArgumentRangeError, KrainError, aPositiveInt, isInvalidArgument } from '@krain/core'
import { addressOf } from '@krain/mpc'
import { bodyHashOf, requestSigningPayload } from '../src/auth/request-signature.js'
import { coordinatorKeyOf, loadConfig } from '../src/config.js'
import { OUTBOX_LEASE_MS } from '../src/jobs/outbox-relay.js'
import { statusOfCode, toHttpError } from '../src/plugins/app/error-handler.js'
import { reviveWorkerError } from '../src/plugins/app/worker-pool.js'
import { openStore } from '../src/store/sql-store.js'
import type { OutboxRecord } from '../src/store/types.js'
import { buildGateway } from '../src/app.js'
import { bearer, signInWith, testConfig, testGateway, wallet } from './helpers/app.js'
import { freePort } from './helpers/child-gateway.js'
import { hospitalKeys } from './helpers/hospitals.js'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const linear = { kind: 'linear', weights: [1, 2], bias: 0 }
const errorShape = (body: string): void => {
  const b = JSON.parse(body) as Record<string, unknown>
  expect(b.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
  expect(typeof b.message).toBe('string')
}

/** Sign a request as `account` with the given body; returns the headers. */
async function signed(i: number, method: string, path: string, body: string | undefined): Promise<Record<string, string>> {
  const account = wallet(i)
  const timestamp = Date.now()
  const signature = await account.signMessage({ message: requestSigningPayload({ method, path, timestamp, body }) })
  return { 'x-krain-address': account.address, 'x-krain-timestamp': String(timestamp), 'x-krain-signature': signature, ...(body ? { 'content-type': 'application/json' } : {}) }
}

describe('12.5 request signatures: malleability and a replay guard that survives a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'krain-replay-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('accepts one signed request once, whatever re-encoding of its signature comes back', async () => {
    const app = await testGateway({ config: { rateLimitPerMinute: 1_000_000 } })
    try {
      const body = JSON.stringify({ name: 'malleable', model: linear })
      const headers = await signed(70, 'POST', '/v1/models', body)
      const sig = headers['x-krain-signature']!
      const r = sig.slice(2, 66)
      const s = BigInt(`0x${sig.slice(66, 130)}`)
      const v = Number.parseInt(sig.slice(130), 16)
      const hex = (x: bigint): string => x.toString(16).padStart(64, '0')
      const variants = [
        sig,
        `0x${r}${hex(N - s)}${(v ^ 1).toString(16)}`, // the other valid signature of the same message
        `0x${r}${hex(s)}${(v - 27).toString(16).padStart(2, '0')}`, // v as 0/1
        `0x${r}${hex(N - s)}${((v ^ 1) - 27).toString(16).padStart(2, '0')}`,
        sig.toUpperCase().replace('0X', '0x'),
      ]
      const codes: (number | string)[] = []
      for (const variant of variants) {
        const res = await app.inject({ method: 'POST', url: '/v1/models', headers: { ...headers, 'x-krain-signature': variant }, payload: body })
        codes.push(res.statusCode === 201 ? 201 : (res.json() as { code: string }).code)
      }
      expect(codes).toEqual([201, 'AUTH_INVALID_SIGNATURE', 'AUTH_REPLAYED', 'AUTH_INVALID_SIGNATURE', 'AUTH_REPLAYED'])
      const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { name: string }[]
      expect(models.filter((m) => m.name === 'malleable')).toHaveLength(1)
    } finally {
      await app.close()
    }
  })

  it('refuses a replay after the gateway restarts on the same store', async () => {
    const databaseUrl = join(dir, 'krain.db')
    const headers = await signed(71, 'GET', '/v1/auth/me', undefined)
    const first = await testGateway({ config: { databaseUrl, dataDir: dir } })
    expect((await first.inject({ method: 'GET', url: '/v1/auth/me', headers })).statusCode).toBe(200)
    await first.close()
    const second = await testGateway({ config: { databaseUrl, dataDir: dir } })
    try {
      const again = await second.inject({ method: 'GET', url: '/v1/auth/me', headers })
      expect(again.statusCode).toBe(401)
      expect(again.json()).toMatchObject({ code: 'AUTH_REPLAYED' })
    } finally {
      await second.close()
    }
  })
})

describe('12.7 bad numbers are typed 400s', () => {
  let app: FastifyInstance
  let token: string
  beforeAll(async () => {
    app = await testGateway({ config: { rateLimitPerMinute: 1_000_000 } })
    token = await signInWith(app, wallet(72))
  })
  afterAll(async () => app.close())

  it('POST /v1/verify with a public signal ≥ 2^256', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(token), payload: { txHash: `0x${'1'.repeat(64)}`, publicSignals: ['1', '2', (2n ** 256n).toString()] } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('POST /v1/mpc/sessions with dp {epsilon: 5e-324, l1Sensitivity: 1e300}', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(token), payload: { parties: hospitalKeys.slice(0, 3).map((k) => addressOf(k)), length: 4, bound: 10, dp: { epsilon: 5e-324, l1Sensitivity: 1e300 } } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('12.8 anonymous bodies, rate limits and proxies', () => {
  it('answers an anonymous 250 MiB upload with 401 before reading its body', async () => {
    const app = await testGateway()
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = app.server.address() as { port: number }
      const sent = { bytes: 0, answered: false }
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/he/keys', headers: { 'content-type': 'application/octet-stream', 'content-length': String(250 << 20) } }, (r) => {
          let body = ''
          r.on('data', (c: Buffer) => (body += c.toString()))
          r.on('end', () => {
            resolve({ status: r.statusCode!, body })
            req.destroy()
          })
        })
        req.on('error', (e) => (sent.answered ? undefined : reject(e)))
        req.on('response', () => (sent.answered = true))
        const chunk = Buffer.alloc(64 << 10)
        const pump = (): void => {
          // send at most 1 MiB, then wait: the answer must come without the rest of the body
          while (sent.bytes < 1 << 20) {
            sent.bytes += chunk.length
            if (!req.write(chunk)) return void req.once('drain', pump)
          }
        }
        pump()
      })
      expect(sent.bytes).toBeLessThanOrEqual(1 << 20)
      expect(res.status).toBe(401)
      expect(JSON.parse(res.body)).toMatchObject({ code: 'AUTH_REQUIRED' })
    } finally {
      await app.close()
    }
  })

  it('limits anonymous bodies on public routes by Content-Length, before parsing', async () => {
    const app = await testGateway({ config: { anonymousBodyLimit: 1024 } })
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/auth/challenge', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ address: wallet(1).address, pad: 'x'.repeat(2000) }) })
      expect(res.statusCode).toBe(413)
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' })
    } finally {
      await app.close()
    }
  })

  it('asks a signed body above the default limit to name its hash, and checks it before the body', async () => {
    const app = await testGateway({ config: { bodyLimit: 2048, rateLimitPerMinute: 1_000_000 } })
    try {
      const body = JSON.stringify({ name: 'big', model: { kind: 'linear', weights: Array.from({ length: 400 }, (_, i) => i / 7), bias: 0 } })
      expect(body.length).toBeGreaterThan(2048)
      const headers = await signed(73, 'POST', '/v1/models', body)
      const refused = await app.inject({ method: 'POST', url: '/v1/models', headers, payload: body })
      expect(refused.statusCode).toBe(401)
      expect(refused.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
      const forged = await app.inject({ method: 'POST', url: '/v1/models', headers: { ...headers, 'x-krain-content-sha256': bodyHashOf('{}'), 'x-krain-signature': (await signed(73, 'POST', '/v1/models', '{}'))['x-krain-signature']! }, payload: body })
      expect(forged.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
      const fresh = await signed(73, 'POST', '/v1/models', body)
      const ok = await app.inject({ method: 'POST', url: '/v1/models', headers: { ...fresh, 'x-krain-content-sha256': bodyHashOf(body) }, payload: body })
      expect(ok.statusCode).toBe(201)
    } finally {
      await app.close()
    }
  })

  it('counts requests refused by auth or validation against the IP', async () => {
    const app = await testGateway({ config: { rateLimitPerMinute: 4 } })
    try {
      const codes: number[] = []
      codes.push((await app.inject({ method: 'GET', url: '/v1/jobs/x' })).statusCode) // auth
      codes.push((await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: 'nope' } })).statusCode) // validation
      codes.push((await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer('y'.repeat(43)) })).statusCode) // unknown token
      codes.push((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode)
      codes.push((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode)
      expect(codes).toEqual([401, 400, 401, 200, 429])
    } finally {
      await app.close()
    }
  })

  it('gives each client behind a trusted proxy its own bucket (trustProxy)', async () => {
    const run = async (trustProxy: string): Promise<number[]> => {
      const app = await testGateway({ config: { rateLimitPerMinute: 2, trustProxy } })
      try {
        const codes: number[] = []
        for (const ip of ['203.0.113.1', '203.0.113.1', '203.0.113.2']) codes.push((await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-for': ip } })).statusCode)
        codes.push((await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-for': '203.0.113.1' } })).statusCode)
        return codes
      } finally {
        await app.close()
      }
    }
    expect(await run('true')).toEqual([200, 200, 200, 429])
    expect(await run('false')).toEqual([200, 200, 429, 429]) // one socket address, one bucket
    expect(() => loadConfig({ KRAIN_TRUST_PROXY: 'yes please' })).toThrow(/KRAIN_TRUST_PROXY/)
  })
})

describe('12.9 smaller gaps', () => {
  it('starts degraded when the chain RPC is down: chain routes 503 with Retry-After, the rest serves', async () => {
    const port = await freePort()
    const app = await buildGateway({ config: testConfig({ rpcUrl: `http://127.0.0.1:${port}`, privateKey: `0x${'42'.repeat(32)}`, registryAddress: `0x${'11'.repeat(20)}` }) }).catch((e: unknown) => e)
    expect(app).not.toBeInstanceOf(Error)
    const gw = app as FastifyInstance
    try {
      const h = await gw.inject({ method: 'GET', url: '/healthz' })
      expect(h.statusCode).toBe(200)
      expect(h.json()).toMatchObject({ status: 'ok', chain: null, chainStatus: 'connecting' })
      const token = await signInWith(gw, wallet(74))
      const v = await gw.inject({ method: 'POST', url: '/v1/verify', headers: bearer(token), payload: { txHash: `0x${'1'.repeat(64)}`, publicSignals: ['1', '2', '3'] } })
      expect(v.statusCode).toBe(503)
      expect(v.json()).toMatchObject({ code: 'CHAIN_UNAVAILABLE' })
      expect(Number(v.headers['retry-after'])).toBeGreaterThan(0)
    } finally {
      await gw.close()
    }
  })

  it('generates a per-installation coordinator key (0600), never the chain key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krain-coord-'))
    try {
      const chainKey = `0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80` // anvil's dev key #0
      const config = loadConfig({ KRAIN_DATA_DIR: dir, KRAIN_RPC_URL: 'http://127.0.0.1:8545', KRAIN_PRIVATE_KEY: chainKey, KRAIN_REGISTRY_ADDRESS: `0x${'11'.repeat(20)}` })
      const key = coordinatorKeyOf(config)
      expect(key).not.toBe(chainKey)
      expect(key).toMatch(/^0x[0-9a-f]{64}$/)
      expect(statSync(join(dir, 'coordinator.key')).mode & 0o777).toBe(0o600)
      expect(coordinatorKeyOf(config)).toBe(key)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('authenticates before looking a job up: no 404-vs-401 oracle on ids', async () => {
    const app = await testGateway()
    try {
      const token = await signInWith(app, wallet(75))
      const id = '9b2f3c1e-0000-4000-8000-000000000001'
      await app.store.createJob({ id, owner: wallet(75).address, kind: 'proven-inference', modelId: null, state: 'failed', input: { input: [], salt: '1' }, result: null, error: null, txHash: null, createdAt: 1, updatedAt: 1 })
      expect((await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: bearer(token) })).statusCode).toBe(200)
      for (const path of ['/v1/jobs/', '/v1/jobs/%s/receipt']) {
        const url = (x: string): string => (path.includes('%s') ? path.replace('%s', x) : path + x)
        const known = await app.inject({ method: 'GET', url: url(id) })
        const unknown = await app.inject({ method: 'GET', url: url('00000000-0000-0000-0000-000000000000') })
        expect([known.statusCode, unknown.statusCode]).toEqual([401, 401])
        expect(known.body).toBe(unknown.body)
      }
    } finally {
      await app.close()
    }
  })

  it('routes ids made from 100-character model names (no 414)', async () => {
    const app = await testGateway()
    try {
      const token = await signInWith(app, wallet(76))
      const m = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'n'.repeat(100), model: linear } })
      expect(m.statusCode).toBe(201)
      const id = (m.json() as { id: string }).id
      expect(id.length).toBeLessThanOrEqual(128)
      const got = await app.inject({ method: 'GET', url: `/v1/models/${id}`, headers: bearer(token) })
      expect(got.statusCode).toBe(200)
      const plan = await app.inject({ method: 'POST', url: `/v1/models/${id}/he/plan`, headers: bearer(token), payload: { batchSize: 4 } })
      expect(plan.statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('answers every framework error as { code, message }: 414, bad URL, bad JSON, preflight', async () => {
    const app = await testGateway()
    try {
      const tooLong = await app.inject({ method: 'GET', url: `/v1/models/${'a'.repeat(300)}` })
      expect(tooLong.statusCode).toBe(414)
      errorShape(tooLong.body)
      expect(Object.keys(tooLong.json() as object).sort()).toEqual(['code', 'message'])
      const badUrl = await app.inject({ method: 'GET', url: '/v1/models/%zz' })
      expect(badUrl.statusCode).toBe(400)
      expect(Object.keys(badUrl.json() as object).sort()).toEqual(['code', 'message'])
      const badJson = await app.inject({ method: 'POST', url: '/v1/auth/challenge', headers: { 'content-type': 'application/json' }, payload: '{"address":' })
      expect(badJson.statusCode).toBe(400)
      errorShape(badJson.body)
      for (const headers of [{}, { origin: 'https://agent.example', 'access-control-request-method': 'POST' }]) {
        const pre = await app.inject({ method: 'OPTIONS', url: '/v1/models', headers })
        expect(pre.statusCode).toBe(204)
        expect(pre.body).toBe('')
      }
    } finally {
      await app.close()
    }
  })

  it('lets a tampered sign-in attempt leave the genuine challenge usable', async () => {
    const app = await testGateway()
    try {
      const account = wallet(77)
      const { message } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: account.address } })).json() as { message: string }
      const signature = await account.signMessage({ message })
      const tampered = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message: message.replace('Sign in to', 'Sign into'), signature } })
      expect(tampered.statusCode).toBe(401)
      const wrongSigner = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature: await wallet(78).signMessage({ message }) } })
      expect(wrongSigner.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
      const genuine = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
      expect(genuine.statusCode).toBe(200)
      const reused = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
      expect(reused.json()).toMatchObject({ code: 'AUTH_CHALLENGE_INVALID' })
    } finally {
      await app.close()
    }
  })

  it('creates the SQLite files 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krain-perm-'))
    try {
      const path = join(dir, 'data', 'krain.db')
      const store = await openStore(path)
      await store.createChallenge({ nonce: 'n', address: wallet(1).address, message: 'm', expiresAt: Date.now() + 60_000 })
      for (const f of ['', '-wal', '-shm']) expect(statSync(path + f).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir, 'data')).mode & 0o077).toBe(0)
      await store.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('leases outbox entries briefly and renews the lease while a submission runs', async () => {
    const store = await openStore(':memory:')
    try {
      const t0 = 1_000_000
      const entry: OutboxRecord = { id: 'submit:j', jobId: 'j', kind: 'submit-inference', payload: { circuit: 'c', modelCommitment: '1', proof: {}, publicSignals: [] }, status: 'pending', attempts: 0, nextAttemptAt: t0, lockedUntil: null, lastError: null, result: null, createdAt: t0, updatedAt: t0 }
      await store.createJob({ id: 'j', owner: wallet(1).address, kind: 'proven-inference', modelId: null, state: 'proving', input: { input: [], salt: '1' }, result: null, error: null, txHash: null, createdAt: t0, updatedAt: t0 })
      expect(await store.transitionJobWithOutbox('j', ['proving'], { state: 'proved', result: { circuit: 'c', output: '0', modelCommitment: '1', inputCommitment: '2', publicSignals: [], proof: {} } }, entry, t0)).toBe(true)
      // a runner claims it, then dies (kill -9 during submission): another runner takes it over
      // one short lease later, not after 120 s
      expect(OUTBOX_LEASE_MS).toBeLessThanOrEqual(30_000)
      expect(await store.claimOutbox(t0, 16, OUTBOX_LEASE_MS)).toHaveLength(1)
      expect(await store.claimOutbox(t0 + OUTBOX_LEASE_MS - 1, 16, OUTBOX_LEASE_MS)).toHaveLength(0)
      expect(await store.claimOutbox(t0 + OUTBOX_LEASE_MS, 16, OUTBOX_LEASE_MS)).toHaveLength(1)
      // a live runner's heartbeat keeps its lease
      const t1 = t0 + OUTBOX_LEASE_MS
      expect(await store.extendOutboxLease('submit:j', t1 + 2 * OUTBOX_LEASE_MS, t1 + OUTBOX_LEASE_MS - 1)).toBe(true)
      expect(await store.claimOutbox(t1 + OUTBOX_LEASE_MS, 16, OUTBOX_LEASE_MS)).toHaveLength(0)
      await store.finishOutbox('submit:j', { error: 'test' }, t1)
      expect(await store.extendOutboxLease('submit:j', t1 + 10, t1)).toBe(false)
    } finally {
      await store.close()
    }
  })
})

describe('17.1 one code → status table; library errors carry no transport', () => {
  it('maps by code alone (a library error carries no status)', () => {
    expect('status' in new KrainError({ code: 'MPC_WRONG_SESSION', shortMessage: 'x' })).toBe(false)
    expect(toHttpError(new KrainError({ code: 'MPC_WRONG_SESSION', shortMessage: 'x' })).status).toBe(404)
    expect(toHttpError(new KrainError({ code: 'SOMETHING_NEW', shortMessage: 'x' })).status).toBe(400)
    expect(toHttpError(new KrainError({ code: 'ZK_PROVING_FAILED', shortMessage: 'secret detail' })).body).toEqual({ code: 'INTERNAL', message: 'internal error' })
    expect(toHttpError(new KrainError({ code: 'CHAIN_UNAVAILABLE', shortMessage: 'down' }))).toMatchObject({ status: 503, body: { code: 'CHAIN_UNAVAILABLE' } })
    expect(statusOfCode.AUTH_REPLAYED).toBe(401)
  })

  it('treats validator errors as 400 by their marker class, other TypeErrors as bugs', () => {
    const invalid = (() => {
      try {
        aPositiveInt(0, 'count')
      } catch (e) {
        return e
      }
    })()
    expect(invalid).toBeInstanceOf(RangeError)
    expect(invalid).toBeInstanceOf(InvalidArgumentRangeError)
    expect(toHttpError(invalid)).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } })
    expect(toHttpError(new InvalidArgumentRangeError('x', 'no naming convention needed'))).toMatchObject({ status: 400 })
    expect(toHttpError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ status: 500, internal: true, body: { code: 'INTERNAL' } })
  })

  it('has a status for every conflict, unavailability and auth code the gateway throws', () => {
    const expected: Record<string, (status: number | undefined) => boolean> = { ConflictError: (x) => x === 409, UnavailableError: (x) => x !== undefined && x >= 501, AuthError: (x) => x === 401 }
    const files = readdirSync(join(import.meta.dirname, '../src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
    const found: string[] = []
    for (const f of files) {
      for (const m of readFileSync(join(import.meta.dirname, '../src', f), 'utf8').matchAll(/new (ConflictError|UnavailableError|AuthError)\('([A-Z_]+)'/g)) {
        found.push(m[2]!)
        expect(expected[m[1]!]!(statusOfCode[m[2]!]), `${m[1]}('${m[2]}') in ${f}`).toBe(true)
      }
    }
    expect(found).toContain('JOB_NOT_CONFIRMED')
  })

  it('keeps the class of a worker error across the thread boundary', () => {
    const invalid = reviveWorkerError({ name: 'RangeError', message: 'no naming convention', code: 'INVALID_ARGUMENT' })
    expect(invalid).toBeInstanceOf(RangeError)
    expect(isInvalidArgument(invalid)).toBe(true)
    expect(toHttpError(invalid).status).toBe(400)
    expect(toHttpError(reviveWorkerError({ name: 'MpcError', message: 'm', code: 'MPC_WRONG_SESSION', shortMessage: 'm', status: 400 })).status).toBe(404)
    expect(toHttpError(reviveWorkerError({ name: 'TypeError', message: 'x is not a function' })).status).toBe(500)
  })
})
