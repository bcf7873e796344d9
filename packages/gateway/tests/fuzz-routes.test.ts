/**
 * Property-based acceptance suite (issue 12): at least 10,000 generated requests across every
 * operation of the gateway's own OpenAPI document (`/docs/json`), valid-but-hostile and malformed,
 * with every kind of caller (session, another wallet, anonymous, bad token, junk signature).
 *
 * For every response: no 5xx; every error body is exactly `{ code, message[, details] }`; a
 * refused request (4xx) writes nothing to the store (SQLite's `total_changes()` over the store's
 * connection moves only by the replay guard's request digests), and a digest of every table is
 * compared before and after each block of requests. At the end the process still serves.
 *
 * Heavy cryptography stays bounded: bodies are small, routes that load keys into SEAL in the
 * worker pool are drawn less often, and at most {@link MAX_PROOFS} proving jobs are accepted
 * (further `prove` bodies are made invalid). The chain is a real embedded anvil, so
 * `POST /v1/verify` answers from the chain rather than with 503.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addressOf } from '@krain/mpc'
import { buildGateway } from '../src/app.js'
import type { SqlDriver } from '../src/store/driver.js'
import { migrate } from '../src/store/migrations.js'
import { SqlStore } from '../src/store/sql-store.js'
import { openSqlite } from '../src/store/sqlite-driver.js'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { requestSigningPayload } from '../src/auth/request-signature.js'
import type { ChainAdapter } from '../src/chain/adapter.js'
import { bearer, signInWith, testConfig, wallet } from './helpers/app.js'
import { hospitalKeys } from './helpers/hospitals.js'

/** Requests in the main property (the other properties add more). */
const RUNS = 10_000
/** Accepted proving jobs allowed over the whole run. */
const MAX_PROOFS = 2
/** Operations drawn at a third of the others' rate (each request costs a worker-pool task or a full metrics scrape). */
const HEAVY = new Set(['POST /v1/he/keys', 'POST /v1/models/{id}/infer/encrypted', 'GET /metrics'])

type Op = { method: 'GET' | 'POST' | 'DELETE'; template: string; query: string[]; hasBody: boolean }
type Req = { method: Op['method']; url: string; headers: Record<string, string>; payload?: string | Buffer }

/** Hostile numbers and strings that crossed a boundary somewhere before. */
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 5e-324, -5e-324, 1e300, -1e300, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 0.1, 1e6, -1e6, 1e6 + 1, 16_384, 16_385, 4096, 65_536),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
)
const hugeDecimal = fc.constantFrom((2n ** 256n).toString(), (2n ** 254n).toString(), '21888242871839275222246405745257275088548364400416034343698204186575808495617', '9'.repeat(78), '0', '00', '1'.repeat(79))
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '__proto__', 'constructor', '0x', `0x${'f'.repeat(64)}`, `0x${'0'.repeat(40)}`, 'a'.repeat(300), '%00', '../..', '\u0000', '\ud800', 'null', '[]', '{}'),
  hugeDecimal,
)
const junkValue = fc.oneof(fc.anything({ maxDepth: 2, maxKeys: 4 }), hostileNumber, hostileString, fc.constant(null))

/** `encodeURIComponent`, with a lone surrogate sent as its (invalid) UTF-8 bytes instead of throwing. */
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s)
  } catch {
    return '%ED%A0%80'
  }
}

/** Replace one field of an object with junk, drop it, or add an unknown one. */
function mutate<T extends Record<string, unknown>>(base: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: base },
    {
      weight: 3,
      arbitrary: fc.tuple(base, fc.nat(), junkValue, fc.constantFrom('replace', 'drop', 'add', '__proto__')).map(([b, i, v, how]) => {
        const keys = Object.keys(b)
        const k = keys[i % Math.max(1, keys.length)] ?? 'x'
        const out: Record<string, unknown> = { ...b }
        if (how === 'replace') out[k] = v
        else if (how === 'drop') delete out[k]
        else if (how === 'add') out.unexpected = v
        else return JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(b).slice(1)}`) as unknown
        return out
      }),
    },
    { weight: 1, arbitrary: junkValue },
  )
}

describe('fuzzed requests across every route of the OpenAPI document', () => {
  let app: FastifyInstance
  let db: SqlDriver
  let store: SqlStore
  let chain: EmbeddedChain
  let adapter: ChainAdapter
  let ops: Op[] = []
  const ids = { model: '', session: '', job: '', key: 'no-such-key' }
  const tokens = { owner: '', other: '' }
  const owner = wallet(90)
  const counts = new Map<string, number>()
  let proofs = 0

  beforeAll(async () => {
    chain = await startEmbeddedChain()
    adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    db = openSqlite(':memory:')
    await migrate(db)
    store = new SqlStore(db)
    app = await buildGateway({ config: testConfig({ rateLimitPerMinute: 1_000_000, coordinatorKey: `0x${'c7'.repeat(32)}` }), chain: adapter, store })
    tokens.owner = await signInWith(app, owner)
    tokens.other = await signInWith(app, wallet(91))
    const m = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(tokens.owner), payload: { name: 'fuzz', model: { kind: 'logistic', weights: [0.5, -0.25, 1], bias: 0.1 } } })
    ids.model = (m.json() as { id: string }).id
    const s = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(tokens.owner), payload: { parties: [owner.address, ...hospitalKeys.slice(0, 2).map((k) => addressOf(k))], length: 4, bound: 10, timeoutsMs: { join: 3_600_000, share: 3_600_000, sum: 3_600_000 } } })
    ids.session = (s.json() as { sessionId: string }).sessionId
    ids.job = '6a1c6a52-0000-4000-8000-00000000f022'
    await app.store.createJob({ id: ids.job, owner: owner.address, kind: 'proven-inference', modelId: ids.model, state: 'failed', input: { input: [1, 2, 3], salt: '1' }, result: null, error: { code: 'X', message: 'y' }, txHash: null, createdAt: 1, updatedAt: 1 })
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { in: string; name: string }[] }>> }
    ops = Object.entries(doc.paths).flatMap(([template, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase() as Op['method'], template, query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), hasBody: method === 'post' })),
    )
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await store?.close()
    await adapter?.close()
    await chain?.stop()
  })

  /** Digest of every stored row, except the replay guard's bookkeeping. */
  const stateDigest = async (): Promise<string> => {
    const dump = await app.store.dump()
    delete dump.request_digests
    return createHash('sha256')
      .update(JSON.stringify(dump, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v)))
      .digest('hex')
  }

  /** Path parameter for `{id}`: the real id of that resource kind, another kind's, or junk. */
  const idFor = (template: string): fc.Arbitrary<string> => {
    const real = template.startsWith('/v1/models') ? ids.model : template.startsWith('/v1/mpc') ? ids.session : template.startsWith('/v1/jobs') ? ids.job : ids.key
    return fc.oneof({ weight: 4, arbitrary: fc.constant(real) }, { weight: 1, arbitrary: fc.constantFrom(ids.model, ids.session, ids.job, `0x${'ab'.repeat(32)}`) }, { weight: 2, arbitrary: hostileString.map(enc) })
  }

  const address = fc.oneof(fc.constantFrom(owner.address, wallet(91).address, addressOf(hospitalKeys[0]!)), hostileString)
  const sig130 = fc.oneof(fc.constant(`0x${'1b'.repeat(65)}`), fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => `0x${Buffer.from(b).toString('hex')}`), hostileString)
  const planBody = fc.record({ batchSize: fc.oneof(fc.integer({ min: 1, max: 64 }), hostileNumber), layout: fc.constantFrom('sample-per-ciphertext', 'feature-major', 'diagonal'), inputBound: fc.oneof(fc.double({ min: 0.001, max: 100, noNaN: true }), hostileNumber) })
  const partyMessage = fc.record({
    message: fc.record({ type: fc.constantFrom('join', 'shares', 'sum-share', 'x'), sessionId: fc.oneof(fc.constant(ids.session), hostileString), from: address, signature: sig130, encryptionKey: hostileString, shares: junkValue, share: hostileString }),
  })

  /** Bodies of each operation: near-valid samples and their mutations. */
  const bodyFor = (op: Op): fc.Arbitrary<unknown> => {
    switch (`${op.method} ${op.template}`) {
      case 'POST /v1/auth/challenge':
        return mutate(fc.record({ address }))
      case 'POST /v1/auth/session':
        return mutate(fc.record({ message: fc.oneof(hostileString, fc.constant('localhost wants you to sign in with your Ethereum account:\n0x0\n\nNonce: abcdefgh12345678')), signature: sig130 }))
      case 'POST /v1/mpc/sessions':
        return mutate(
          fc.record({
            parties: fc.oneof(fc.constant([owner.address, addressOf(hospitalKeys[1]!), addressOf(hospitalKeys[2]!)]), fc.array(address, { maxLength: 4 })),
            length: fc.oneof(fc.integer({ min: 1, max: 8 }), hostileNumber),
            bound: hostileNumber,
            threshold: fc.oneof(fc.integer({ min: 1, max: 4 }), hostileNumber),
            timeoutsMs: fc.record({ join: hostileNumber, share: hostileNumber, sum: hostileNumber }),
            dp: fc.record({ epsilon: hostileNumber, l1Sensitivity: hostileNumber }),
          }),
        )
      case 'POST /v1/mpc/sessions/{id}/join':
      case 'POST /v1/mpc/sessions/{id}/shares':
      case 'POST /v1/mpc/sessions/{id}/sum-share':
        return mutate(partyMessage)
      case 'POST /v1/models/':
        return mutate(
          fc.record({
            name: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/), hostileString),
            model: fc.oneof(
              fc.record({ kind: fc.constantFrom('linear', 'logistic'), weights: fc.array(hostileNumber, { minLength: 1, maxLength: 6 }), bias: hostileNumber }),
              fc.record({ kind: fc.constant('mlp'), activation: fc.constantFrom('square', 'relu'), layers: fc.array(fc.record({ weights: fc.array(fc.array(hostileNumber, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), bias: fc.array(hostileNumber, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 }) }),
              junkValue,
            ),
          }),
        )
      case 'POST /v1/models/{id}/he/plan':
        return mutate(planBody)
      case 'POST /v1/models/{id}/infer/encrypted':
        return mutate(fc.record({ keyId: fc.oneof(fc.constant(ids.key), hostileString), plan: planBody, ciphertexts: fc.array(fc.oneof(fc.base64String({ minLength: 4, maxLength: 64 }), hostileString), { maxLength: 3 }) }))
      case 'POST /v1/models/{id}/prove':
        return mutate(fc.record({ input: fc.oneof(fc.array(hostileNumber, { maxLength: 5 }), fc.constant([1, 2, 3])), salt: fc.oneof(hugeDecimal, fc.constant('12345')) }))
      case 'POST /v1/verify':
        return mutate(fc.record({ txHash: fc.oneof(fc.constant(`0x${'12'.repeat(32)}`), hostileString), publicSignals: fc.array(fc.oneof(hugeDecimal, fc.constantFrom('1', '2', '3')), { minLength: 0, maxLength: 4 }) }))
      default:
        return junkValue
    }
  }

  const caller = fc.constantFrom('owner', 'other', 'none', 'bad-token', 'junk-signature', 'signature') as fc.Arbitrary<'owner' | 'other' | 'none' | 'bad-token' | 'junk-signature' | 'signature'>

  /** One request for `op`. */
  const requestFor = (op: Op): fc.Arbitrary<{ op: Op; req: Omit<Req, 'headers'>; who: string; contentType: string }> =>
    fc
      .record({
        id: op.template.includes('{id}') ? idFor(op.template) : fc.constant(''),
        query: fc.record({ waitMs: fc.oneof(fc.integer({ min: 0, max: 1 }).map(String), fc.constantFrom('-1', '1e3', 'abc', '', '99999999', '0x10')), until: fc.constantFrom('proved', 'confirmed', 'x') }),
        withQuery: fc.boolean(),
        body: op.hasBody ? bodyFor(op) : fc.constant(undefined),
        raw: fc.option(fc.uint8Array({ maxLength: 256 }), { freq: 8 }),
        who: caller,
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/octet-stream', 'text/plain', 'application/json; charset=utf-16'),
      })
      .map(({ id, query, withQuery, body, raw, who, contentType }) => {
        let url = op.template.replace('{id}', id)
        if (withQuery && op.query.length) url += `?${op.query.map((q) => `${q}=${enc(query[q as 'waitMs' | 'until'] ?? '')}`).join('&')}`
        if (op.template === '/v1/models/{id}/prove' && proofs >= MAX_PROOFS) body = { input: [1, 2, 3], salt: (2n ** 254n).toString() } // refused: salt outside the field
        const payload = op.hasBody ? (raw ? Buffer.from(raw) : op.template === '/v1/he/keys' ? Buffer.from(JSON.stringify(body ?? null)) : (JSON.stringify(body) ?? 'null')) : undefined
        const type = op.template === '/v1/he/keys' && !raw ? 'application/octet-stream' : contentType
        return { op, req: { method: op.method, url, ...(payload !== undefined ? { payload } : {}) }, who, contentType: type }
      })

  const headersFor = async (who: string, req: Omit<Req, 'headers'>, contentType: string): Promise<Record<string, string>> => {
    const h: Record<string, string> = req.payload !== undefined ? { 'content-type': contentType } : {}
    if (who === 'owner') return { ...h, ...bearer(tokens.owner) }
    if (who === 'other') return { ...h, ...bearer(tokens.other) }
    if (who === 'bad-token') return { ...h, authorization: 'Bearer ' + 'z'.repeat(43) }
    if (who === 'junk-signature') return { ...h, 'x-krain-address': owner.address, 'x-krain-timestamp': String(Date.now()), 'x-krain-signature': `0x${'ab'.repeat(65)}` }
    if (who === 'signature') {
      const timestamp = Date.now()
      const signature = await owner.signMessage({ message: requestSigningPayload({ method: req.method, path: req.url, timestamp, body: req.payload }) })
      return { ...h, 'x-krain-address': owner.address, 'x-krain-timestamp': String(timestamp), 'x-krain-signature': signature }
    }
    return h
  }

  /** Rows written on the store's connection so far, and rows of the replay guard. */
  const writes = async (): Promise<{ total: number; replay: number }> => {
    const [w] = await db.all('SELECT total_changes() AS n')
    const [r] = await db.all('SELECT COUNT(*) AS n FROM request_digests')
    return { total: Number(w!.n), replay: Number(r!.n) }
  }

  let before = { total: 0, replay: 0 }
  let refusedSinceDigest = 0
  let digest = ''
  const check = async (op: Op, req: Req): Promise<void> => {
    const res = await app.inject(req)
    const key = `${op.method} ${op.template}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
    if (res.statusCode >= 500) throw new Error(`${res.statusCode} on ${req.method} ${req.url}: ${res.body.slice(0, 300)}`)
    const after = await writes()
    if (res.statusCode >= 400) {
      const body = res.json() as Record<string, unknown>
      expect(Object.keys(body).every((k) => k === 'code' || k === 'message' || k === 'details')).toBe(true)
      expect(body.code).toMatch(/^[A-Z][A-Z0-9_]+$/)
      expect(typeof body.message).toBe('string')
      if (after.total - before.total !== after.replay - before.replay) throw new Error(`refused request wrote to the store: ${res.statusCode} ${res.body.slice(0, 200)} on ${req.method} ${req.url}`)
      // and, every 250 refusals in a row, the full digest agrees
      if (++refusedSinceDigest >= 250) {
        if ((await stateDigest()) !== digest) throw new Error('the store changed over a run of refused requests')
        refusedSinceDigest = 0
      }
    } else {
      if (op.template === '/v1/models/{id}/prove') proofs++
      digest = await stateDigest()
      refusedSinceDigest = 0
    }
    before = after
  }

  it(`sends ${RUNS} generated requests: no 5xx, typed error bodies, refused requests change nothing`, async () => {
    expect(ops.length).toBeGreaterThanOrEqual(20)
    digest = await stateDigest()
    before = await writes()
    const anyRequest = fc.oneof(...ops.map((op) => ({ weight: HEAVY.has(`${op.method} ${op.template}`) ? 1 : 3, arbitrary: requestFor(op) })))
    await fc.assert(
      fc.asyncProperty(anyRequest, async ({ op, req, who, contentType }) => {
        await check(op, { ...req, headers: await headersFor(who, req, contentType) })
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 0x12c0de), endOnFailure: true },
    )
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RUNS)
    for (const op of ops) expect(counts.get(`${op.method} ${op.template}`) ?? 0, `${op.method} ${op.template}`).toBeGreaterThanOrEqual(RUNS / ops.length / 6)
    const health = await app.inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
  }, 180_000)
})
