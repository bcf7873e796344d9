import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addressOf } from '@krain/mpc'
import { breastCancerTask } from '@krain/models'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'

/** Malformed bodies: anything JSON can carry, plus near-misses of the real shapes. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }).map((s) => ({ raw: s })),
  fc.record({ message: fc.anything({ maxDepth: 2 }) }),
  fc.record({ message: fc.record({ type: fc.constantFrom('join', 'shares', 'sum-share', 'x'), sessionId: fc.string(), from: fc.string(), signature: fc.string(), shares: fc.anything({ maxDepth: 2 }), share: fc.string(), encryptionKey: fc.string() }) }),
  fc.record({ name: fc.string(), model: fc.anything({ maxDepth: 3 }) }),
  fc.record({ input: fc.array(fc.double(), { maxLength: 40 }), salt: fc.string() }),
  fc.record({ keyId: fc.string(), plan: fc.anything({ maxDepth: 2 }), ciphertexts: fc.array(fc.base64String(), { maxLength: 3 }) }),
  fc.record({ parties: fc.array(fc.string(), { maxLength: 4 }), length: fc.integer(), bound: fc.double(), threshold: fc.integer() }),
  fc.record({ batchSize: fc.integer(), layout: fc.string(), inputBound: fc.double() }),
  fc.record({ address: fc.string(), message: fc.string(), signature: fc.string() }),
)

describe('every route answers malformed input with a typed 4xx, never a 5xx', () => {
  let app: FastifyInstance
  let token: string
  const ids = { session: '', model: '', job: '00000000-0000-0000-0000-000000000000' }
  beforeAll(async () => {
    app = await testGateway({ config: { rateLimitPerMinute: 1_000_000 } })
    token = await signInWith(app, wallet(40))
    const s = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(token), payload: { parties: hospitalKeys.slice(0, 3).map((k) => addressOf(k)), length: 4, bound: 10 } })
    ids.session = (s.json() as { sessionId: string }).sessionId
    const m = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'bc', model: breastCancerTask().model } })
    ids.model = (m.json() as { id: string }).id
  })
  afterAll(async () => app.close())

  const routes = (): { method: 'POST' | 'GET' | 'DELETE'; url: string }[] => [
    { method: 'POST', url: '/v1/auth/challenge' },
    { method: 'POST', url: '/v1/auth/session' },
    { method: 'POST', url: '/v1/mpc/sessions' },
    { method: 'POST', url: `/v1/mpc/sessions/${ids.session}/join` },
    { method: 'POST', url: `/v1/mpc/sessions/${ids.session}/shares` },
    { method: 'POST', url: `/v1/mpc/sessions/${ids.session}/sum-share` },
    { method: 'POST', url: `/v1/mpc/sessions/${ids.session}/close` },
    { method: 'POST', url: '/v1/models' },
    { method: 'POST', url: `/v1/models/${ids.model}/he/plan` },
    { method: 'POST', url: `/v1/models/${ids.model}/infer/encrypted` },
    { method: 'POST', url: `/v1/models/${ids.model}/prove` },
    { method: 'POST', url: '/v1/verify' },
    { method: 'POST', url: '/v1/he/keys' },
  ]

  const typed4xx = (status: number, body: string): void => {
    expect(status).toBeLessThan(500)
    if (status >= 400) {
      const b = JSON.parse(body) as { code: unknown; message: unknown }
      expect(b.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
      expect(typeof b.message).toBe('string')
    }
  }

  it('JSON bodies', async () => {
    for (const r of routes()) {
      await fc.assert(
        fc.asyncProperty(junk, async (body) => {
          const res = await app.inject({ method: r.method, url: r.url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' })
          typed4xx(res.statusCode, res.body)
        }),
        { numRuns: 25 },
      )
    }
  })

  it('raw bytes, wrong content types and junk paths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...routes().map((r) => r.url)), fc.constantFrom('application/octet-stream', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (bytes, url, type) => {
        const res = await app.inject({ method: 'POST', url, headers: { ...bearer(token), 'content-type': type }, payload: Buffer.from(bytes) })
        typed4xx(res.statusCode, res.body)
      }),
      { numRuns: 60 },
    )
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), fc.constantFrom('/v1/jobs/', '/v1/jobs/x/receipt?', '/v1/mpc/sessions/', '/v1/models/', '/v1/he/keys/', '/v1/mpc/sessions/x/inbox?waitMs='), async (s, prefix) => {
        const res = await app.inject({ method: 'GET', url: prefix + encodeURIComponent(s), headers: bearer(token) })
        typed4xx(res.statusCode, res.body)
      }),
      { numRuns: 60 },
    )
  })
})
