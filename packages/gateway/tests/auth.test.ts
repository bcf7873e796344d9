import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { requestSigningPayload } from '../src/auth/request-signature.js'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'

describe('sign-in and identity', () => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = await testGateway({ policy: { identities: { [wallet(9).address]: { roles: ['verifier'] } }, defaults: { roles: ['agent'], models: ['*'] } } })
  })
  afterAll(async () => app.close())

  it('issues a SIWE challenge, accepts its signature once and opens a session', async () => {
    const account = wallet(1)
    const c = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: account.address } })
    expect(c.statusCode).toBe(200)
    const { message } = c.json() as { message: string }
    expect(message).toContain(account.address)
    expect(message).toContain('wants you to sign in with your Ethereum account')
    const signature = await account.signMessage({ message })
    const s = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
    expect(s.statusCode).toBe(200)
    const body = s.json() as { token: string; address: string; roles: string[] }
    expect(body.address).toBe(account.address)
    expect(body.roles).toEqual(['agent'])
    const replay = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
    expect(replay.statusCode).toBe(401)
    expect(replay.json()).toMatchObject({ code: 'AUTH_CHALLENGE_INVALID' })
    const me = await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(body.token) })
    expect(me.json()).toEqual({ address: account.address, roles: ['agent'], via: 'session' })
  })

  it('refuses a challenge signed by another wallet', async () => {
    const c = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: wallet(1).address } })
    const { message } = c.json() as { message: string }
    const signature = await wallet(2).signMessage({ message })
    const s = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
    expect(s.statusCode).toBe(401)
    expect(s.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
  })

  it('refuses an altered challenge message', async () => {
    const c = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: wallet(1).address } })
    const message = (c.json() as { message: string }).message.replace('Sign in to the Krain gateway.', 'Sign in to something else.')
    const signature = await wallet(1).signMessage({ message })
    const s = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
    expect(s.statusCode).toBe(401)
    expect(s.json()).toMatchObject({ code: 'AUTH_CHALLENGE_INVALID' })
  })

  it('answers 401 with a code without credentials or with an unknown token, and signs out', async () => {
    const none = await app.inject({ method: 'GET', url: '/v1/auth/me' })
    expect(none.statusCode).toBe(401)
    expect(none.json()).toMatchObject({ code: 'AUTH_REQUIRED' })
    const bad = await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer('x'.repeat(43)) })
    expect(bad.statusCode).toBe(401)
    expect(bad.json()).toMatchObject({ code: 'AUTH_SESSION_EXPIRED' })
    const token = await signInWith(app, wallet(3))
    expect((await app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: bearer(token) })).statusCode).toBe(204)
    expect((await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) })).statusCode).toBe(401)
  })

  it('accepts a per-request wallet signature once and refuses a replay or a forged one', async () => {
    const account = wallet(9)
    const timestamp = Date.now()
    const signature = await account.signMessage({ message: requestSigningPayload({ method: 'GET', path: '/v1/auth/me', timestamp, body: undefined }) })
    const headers = { 'x-krain-address': account.address, 'x-krain-timestamp': String(timestamp), 'x-krain-signature': signature }
    const ok = await app.inject({ method: 'GET', url: '/v1/auth/me', headers })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ address: account.address, roles: ['verifier'], via: 'signature' })
    const again = await app.inject({ method: 'GET', url: '/v1/auth/me', headers })
    expect(again.json()).toMatchObject({ code: 'AUTH_REPLAYED' })
    const forged = await app.inject({ method: 'GET', url: '/v1/auth/me', headers: { ...headers, 'x-krain-address': wallet(1).address } })
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
    const stale = Date.now() - 3_600_000
    const old = await account.signMessage({ message: requestSigningPayload({ method: 'GET', path: '/v1/auth/me', timestamp: stale, body: undefined }) })
    const r = await app.inject({ method: 'GET', url: '/v1/auth/me', headers: { ...headers, 'x-krain-timestamp': String(stale), 'x-krain-signature': old } })
    expect(r.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
  })
})

describe('signed requests with a body', () => {
  it('covers the exact body bytes: a changed body is refused', async () => {
    const app = await testGateway()
    try {
      const account = wallet(12)
      const body = JSON.stringify({ name: 'lin', model: { kind: 'linear', weights: [1, 2], bias: 0 } })
      const timestamp = Date.now()
      const signature = await account.signMessage({ message: requestSigningPayload({ method: 'POST', path: '/v1/models', timestamp, body }) })
      const headers = { 'content-type': 'application/json', 'x-krain-address': account.address, 'x-krain-timestamp': String(timestamp), 'x-krain-signature': signature }
      const tampered = await app.inject({ method: 'POST', url: '/v1/models', headers, payload: body.replace('"bias":0', '"bias":5') })
      expect(tampered.json()).toMatchObject({ code: 'AUTH_INVALID_SIGNATURE' })
      const ok = await app.inject({ method: 'POST', url: '/v1/models', headers, payload: body })
      expect(ok.statusCode).toBe(201)
      expect(ok.json()).toMatchObject({ owner: account.address, kind: 'linear', inputs: 2 })
    } finally {
      await app.close()
    }
  })
})

describe('ops routes and error mapping', () => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = await testGateway({ config: { bodyLimit: 2048 } })
  })
  afterAll(async () => app.close())

  it('reports health and Prometheus metrics', async () => {
    const h = await app.inject({ method: 'GET', url: '/healthz' })
    expect(h.statusCode).toBe(200)
    expect(h.json()).toMatchObject({ status: 'ok', store: 'sqlite', chain: null })
    const m = await app.inject({ method: 'GET', url: '/metrics' })
    expect(m.statusCode).toBe(200)
    expect(m.body).toContain('krain_http_requests_total{method="GET",route="/healthz",status="200"} 1')
    expect(m.body).toContain('krain_http_request_duration_seconds_bucket')
    expect(m.body).toContain('krain_sessions_active')
    expect(m.body).toContain('krain_jobs{state="queued"} 0')
  })

  it('maps bad input to typed 4xx bodies', async () => {
    const cases = [
      { payload: '{"address":', status: 400 },
      { payload: { address: 'not-an-address' }, status: 400, code: 'VALIDATION_FAILED' },
      { payload: { address: '0x' + '1'.repeat(40), extra: 1 }, status: 400, code: 'VALIDATION_FAILED' },
      { payload: { address: 'x'.repeat(4000) }, status: 413 },
    ]
    for (const c of cases) {
      const r = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: c.payload, headers: { 'content-type': 'application/json' } })
      expect(r.statusCode).toBe(c.status)
      const body = r.json() as { code: string; message: string }
      expect(typeof body.code).toBe('string')
      expect(typeof body.message).toBe('string')
      if (c.code) expect(body.code).toBe(c.code)
    }
    const nf = await app.inject({ method: 'GET', url: '/v1/nope' })
    expect(nf.statusCode).toBe(404)
    expect(nf.json()).toMatchObject({ code: 'NOT_FOUND' })
    const media = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: 'hi', headers: { 'content-type': 'text/plain' } })
    expect(media.statusCode).toBe(415)
  })

  it('serves the OpenAPI document at /docs', async () => {
    const r = await app.inject({ method: 'GET', url: '/docs/json' })
    expect(r.statusCode).toBe(200)
    const doc = r.json() as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toContain('/v1/auth/challenge')
    const ui = await app.inject({ method: 'GET', url: '/docs' })
    expect(ui.statusCode).toBe(200)
    expect(ui.headers['content-security-policy']).toContain("script-src 'self'")
    const api = await app.inject({ method: 'GET', url: '/healthz' })
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    expect(api.headers['x-content-type-options']).toBe('nosniff')
  })
})

describe('rate limit per identity', () => {
  it('answers 429 RATE_LIMITED past the limit, counted per wallet (anonymous callers per IP)', async () => {
    const app = await testGateway({ config: { rateLimitPerMinute: 6 } })
    try {
      const a = await signInWith(app, wallet(60)) // sign-in requests count against the IP
      const b = await signInWith(app, wallet(61))
      const codes: number[] = []
      for (let i = 0; i < 7; i++) codes.push((await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(a) })).statusCode)
      expect(codes).toEqual([200, 200, 200, 200, 200, 200, 429])
      const limited = await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(a) })
      expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' })
      expect((await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(b) })).statusCode).toBe(200) // another wallet: its own budget
      const anon: number[] = []
      for (let i = 0; i < 3; i++) anon.push((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode)
      expect(anon).toEqual([200, 200, 429]) // the IP already spent 4 on sign-ins
      // probes have their own bucket per instance: the IP's spent budget does not stop them
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    } finally {
      await app.close()
    }
  })
})
