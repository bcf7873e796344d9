/**
 * Issue 15, items 8–9, without a browser: the SDK's browser entry (`@krain/client/browser`: KrainClient,
 * MpcParticipant, verifyReceipt) and the dashboard bundle contain no Node built-ins; /ui serves the page, the bundle and its chunks (and
 * nothing else) with the dashboard's CSP; the dashboard's read-only routes list only the MPC
 * sessions a caller may read and hand out the verification key of a proved job's circuit; the
 * federated session list (`GET /v1/federated/sessions`) is owner-scoped the same way.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { UI_CSP, uiCsp } from '../src/plugins/app/ui.js'
import { breastCancerTask } from '@krain/models'
import { circuitArtifacts, CIRCUITS, closeProvers, proveInference, randomSalt, verifyInference } from '@krain/zk'
import { verifiers } from '@krain/chain'
import * as browserChecks from '../../client/src/verify-backend-browser.js'

const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const clientSrc = fileURLToPath(new URL('../../client/src/', import.meta.url))
const NODE_BUILTINS = new Set(builtinModules)

describe('the browser bundles', () => {
  it('@krain/client/browser bundles KrainClient, MpcParticipant and verifyReceipt for a browser with no Node built-in', async () => {
    const r = await build({ entryPoints: [`${clientSrc}browser.ts`], bundle: true, write: false, splitting: true, outdir: 'out', platform: 'browser', format: 'esm', conditions: ['source', 'browser'], alias: { 'node-seal': 'node-seal/throws_wasm_web_es.js' }, metafile: true, logLevel: 'silent' })
    const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path))
    expect(imports.filter((p) => p.startsWith('node:') || NODE_BUILTINS.has(p))).toEqual([])
    const inputs = Object.keys(r.metafile.inputs)
    for (const f of ['client/src/http.ts', 'client/src/krain-client.ts', 'client/src/mpc-participant.ts', 'client/src/verify-receipt.ts']) expect(inputs.some((p) => p.endsWith(f)), f).toBe(true)
    // the browser implementations are the ones bundled; nothing of anvil, solc, the data sets, the prover or the circuit cache
    expect(inputs.filter((p) => p.endsWith('mpc/src/crypto/backend-browser.ts') || p.endsWith('client/src/verify-backend-browser.ts') || p.endsWith('models/src/browser.ts') || p.endsWith('chain/src/browser.ts'))).toHaveLength(4)
    expect(inputs.filter((p) => /backend-node|verify-backend-node|packages\/datasets\/|chain\/src\/(anvil|verifier)\/|zk\/src\/(artifacts|network|prove|ptau|setup)\/|models\/src\/(tasks|onnx\/import-onnx)/.test(p))).toEqual([])
    // CKKS (node-seal's web build) is a chunk of its own, loaded by the first encrypted inference
    const entry = r.outputFiles.find((f) => f.path.endsWith('/browser.js'))!
    expect(entry.text).toMatch(/export\s*\{[^}]*KrainClient/)
    for (const name of ['MpcParticipant', 'verifyReceipt', 'GatewayHttp', 'eip1193Account']) expect(entry.text).toContain(name)
    const seal = Object.entries(r.metafile.outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node-seal/throws_wasm_web_es.js'))).map(([f]) => f)
    expect(seal).toHaveLength(1)
    expect(seal[0]).not.toMatch(/browser\.js$/)
  })

  it('the dashboard bundle (ui/dist) imports no Node built-in', () => {
    execFileSync(process.execPath, [join(pkgDir, 'scripts/build-client.mjs'), '--quiet']) // fails itself on a node: import
    const dist = join(pkgDir, 'ui/dist')
    const files = ['app.js', ...readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => `chunks/${f}`)]
    expect(files.length).toBeGreaterThan(1)
    for (const f of files) expect(readFileSync(join(dist, f), 'utf8')).not.toMatch(/(?:from|import)\s*\(?\s*["']node:/)
    // snarkjs is in a chunk of its own, loaded only by "verify in this browser"
    expect(readFileSync(join(dist, 'app.js'), 'utf8')).not.toContain('groth16')
    expect(files.some((f) => /^chunks\/verify-/.test(f) && readFileSync(join(dist, f), 'utf8').includes('groth16'))).toBe(true)
  })
})

describe("the SDK's browser proof check (verify-backend-browser) in Node", () => {
  afterAll(async () => closeProvers())

  it("agrees with @krain/zk's verifyInference on a real proof, a changed signal and a wrong expected model", async () => {
    const task = breastCancerTask()
    const r = await proveInference({ model: task.model, input: task.test.x[0]!, salt: randomSalt() })
    const base = { circuit: r.circuit as 'inference_logistic', proof: r.proof, publicSignals: r.publicSignals }
    const changed = { ...base, publicSignals: [r.publicSignals[0], r.publicSignals[1], (BigInt(r.publicSignals[2]!) + 1n).toString()] }
    const wrongModel = { ...base, expectedModelCommitment: BigInt(r.publicSignals[1]!) + 1n }
    for (const p of [base, changed, wrongModel, { ...base, expectedModelCommitment: BigInt(r.publicSignals[1]!) }]) {
      expect(await browserChecks.verifyInference(p), JSON.stringify(p.publicSignals)).toBe(await verifyInference(p))
    }
    expect(await browserChecks.verifyInference(base)).toBe(true)
    expect(await browserChecks.verifyInference(changed)).toBe(false)
    // the browser's pinned keys (from @krain/chain's generated verifiers) are @krain/zk's, and so are the class counts
    for (const c of ['inference_logistic', 'inference_mlp'] as const) {
      expect(verifiers()[c]!.verificationKey).toEqual(circuitArtifacts(c).vkey)
      expect(browserChecks.INFERENCE_CLASSES[c]).toBe(c === 'inference_mlp' ? CIRCUITS.inference_mlp.classes : 2)
    }
    await expect(browserChecks.verifyInference({ ...base, circuit: 'nope' as 'inference_logistic' })).rejects.toThrow(TypeError)
  }, 60_000)
})

describe('/ui and the dashboard routes', () => {
  let app: FastifyInstance
  const creator = wallet(60)
  const parties = [wallet(61), wallet(62), wallet(63)]
  const outsider = wallet(64)
  const auditor = wallet(65)
  beforeAll(async () => {
    app = await testGateway({
      config: { coordinatorKey: `0x${'c2'.repeat(32)}` },
      policy: { defaults: { roles: ['agent', 'hospital'], models: ['*'], sessions: ['*'] }, identities: { [auditor.address]: { roles: ['verifier'] } } },
    })
  })
  afterAll(async () => app?.close())

  it('serves the page, its script and chunks with the dashboard CSP, and never the sources', async () => {
    const page = await app.inject('/ui')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.headers['content-security-policy']).toBe(UI_CSP)
    expect(UI_CSP).not.toMatch(/https?:|unsafe-inline|'unsafe-eval'/) // no CDN, no inline script, no eval
    // with a public RPC announced, the page may also read the chain (verifyReceipt), and nothing else
    expect(uiCsp('http://127.0.0.1:8545/rpc')).toBe(UI_CSP.replace("connect-src 'self'", "connect-src 'self' http://127.0.0.1:8545"))
    expect(page.body).toContain('<script type="module" src="/ui/app.js"></script>')
    const js = await app.inject('/ui/app.js')
    expect(js.statusCode).toBe(200)
    expect(js.headers['content-type']).toMatch(/javascript/)
    expect(js.headers['content-security-policy']).toBe(UI_CSP)
    const chunk = readdirSync(join(pkgDir, 'ui/dist/chunks')).find((f) => f.endsWith('.js'))!
    expect((await app.inject(`/ui/chunks/${chunk}`)).statusCode).toBe(200)
    for (const hidden of ['/ui/src/app.ts', '/ui/tsconfig.json', '/ui/../package.json', '/ui/chunks/../../src/app.ts']) expect((await app.inject(hidden)).statusCode, hidden).toBeGreaterThanOrEqual(400)
    expect((await app.inject('/ui/')).headers.location).toBe('/ui')
    // the API keeps its strict policy
    expect((await app.inject('/healthz')).headers['content-security-policy']).not.toBe(UI_CSP)
  })

  it('lists an MPC session to its creator, parties and verifiers only', async () => {
    const token = await signInWith(app, creator)
    const r = await app.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: bearer(token), payload: { parties: parties.map((p) => p.address), threshold: 2, length: 3, bound: 100, timeoutsMs: { join: 60_000, share: 60_000, sum: 60_000 } } })
    expect(r.statusCode).toBe(201)
    const id = (r.json() as { sessionId: string }).sessionId
    const list = async (who: typeof creator): Promise<{ id: string; phase: string; parties: string[]; joined: string[]; threshold: number }[]> => {
      const res = await app.inject({ url: '/v1/dashboard/mpc/sessions', headers: bearer(await signInWith(app, who)) })
      expect(res.statusCode).toBe(200)
      return res.json()
    }
    for (const who of [creator, parties[1]!, auditor]) expect((await list(who)).map((s) => s.id), who.address).toEqual([id])
    expect(await list(outsider)).toEqual([])
    expect((await list(creator))[0]).toMatchObject({ phase: 'join', parties: parties.map((p) => p.address), joined: [], threshold: 2 })
    expect((await app.inject('/v1/dashboard/mpc/sessions')).statusCode).toBe(401)
    expect((await app.inject({ url: '/v1/dashboard/mpc/sessions?limit=0', headers: bearer(token) })).statusCode).toBe(400)
  })

  it('lists a federated session to its creator, hospitals and verifiers only (GET /v1/federated/sessions)', async () => {
    const token = await signInWith(app, creator)
    const body = { name: 'list-fed', model: breastCancerTask().model, hospitals: parties.map((p) => p.address), rounds: 3, threshold: 2, clip: 1, dp: { epsilon: 2, delta: 1e-5, noiseMultiplier: 1.1 }, consent: { purpose: 'list test', computation: 'fedavg', expiry: Math.floor(Date.now() / 1000) + 3600 } }
    const r = await app.inject({ method: 'POST', url: '/v1/federated/sessions', headers: bearer(token), payload: body })
    expect(r.statusCode).toBe(201)
    const id = (r.json() as { id: string }).id
    const list = async (who: typeof creator, query = ''): Promise<Record<string, unknown>[]> => {
      const res = await app.inject({ url: `/v1/federated/sessions${query}`, headers: bearer(await signInWith(app, who)) })
      expect(res.statusCode).toBe(200)
      return res.json()
    }
    for (const who of [creator, parties[2]!, auditor]) expect((await list(who)).map((s) => s.id), who.address).toContain(id)
    expect((await list(outsider)).map((s) => s.id)).not.toContain(id)
    expect((await list(creator)).find((s) => s.id === id)).toEqual({
      id, name: 'list-fed', creator: creator.address.toLowerCase(), hospitals: parties.map((p) => p.address.toLowerCase()), consented: [], phase: 'joining', round: 0, rounds: 3, attempt: 0, threshold: 2, algorithm: 'fedavg',
      dropouts: [], lastContributors: null, epsilonSpent: (r.json() as { epsilonSpent: number | null }).epsilonSpent, dp: { epsilon: 2, delta: 1e-5 }, modelId: null, createdAt: expect.any(Number),
    })
    // newest first, and the limit holds
    const second = (await app.inject({ method: 'POST', url: '/v1/federated/sessions', headers: bearer(token), payload: { ...body, name: 'list-fed-2' } })).json() as { id: string }
    expect((await list(creator, '?limit=1')).map((s) => s.id)).toEqual([second.id])
    expect((await app.inject('/v1/federated/sessions')).statusCode).toBe(401)
    expect((await app.inject({ url: '/v1/federated/sessions?limit=0', headers: bearer(token) })).statusCode).toBe(400)
    expect((await app.inject({ url: '/v1/federated/sessions?limit=1&x=1', headers: bearer(token) })).statusCode).toBe(400)
  })

  it("gives the verification key of a proved job's circuit to whoever may read the job", async () => {
    const owner = wallet(66)
    const now = Date.now()
    const base = { owner: owner.address, kind: 'proven-inference' as const, modelId: 'm', input: { input: [], salt: '1' }, error: null, txHash: null, createdAt: now, updatedAt: now }
    await app.store.createJob({ ...base, id: 'ui-proved', state: 'proved', result: { circuit: 'inference_logistic', modelCommitment: '1', output: '1', inputCommitment: '2', publicSignals: ['1', '1', '2'], proof: {} } })
    await app.store.createJob({ ...base, id: 'ui-queued', state: 'queued', result: null })
    await app.store.createJob({ ...base, id: 'ui-unbuilt', state: 'proved', result: { circuit: 'net_not_built_here', modelCommitment: '3', output: '0', inputCommitment: '4', publicSignals: ['0', '3', '4'], proof: {} } })
    const auth = bearer(await signInWith(app, owner))
    const ok = await app.inject({ url: '/v1/dashboard/jobs/ui-proved/verification-key', headers: auth })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ jobId: 'ui-proved', circuit: 'inference_logistic', vkey: { protocol: 'groth16', curve: 'bn128', nPublic: 3 } })
    expect((await app.inject({ url: '/v1/dashboard/jobs/ui-queued/verification-key', headers: auth })).json()).toMatchObject({ code: 'JOB_NOT_PROVED' })
    expect((await app.inject({ url: '/v1/dashboard/jobs/ui-queued/verification-key', headers: auth })).statusCode).toBe(409)
    expect((await app.inject({ url: '/v1/dashboard/jobs/ui-unbuilt/verification-key', headers: auth })).statusCode).toBe(404)
    expect((await app.inject({ url: '/v1/dashboard/jobs/nope/verification-key', headers: auth })).statusCode).toBe(404)
    // another caller who is neither the owner nor a verifier may not read it
    const other = await app.inject({ url: '/v1/dashboard/jobs/ui-proved/verification-key', headers: bearer(await signInWith(app, outsider)) })
    expect(other.json()).toMatchObject({ code: 'POLICY_DENIED' })
    expect((await app.inject({ url: '/v1/dashboard/jobs/ui-proved/verification-key', headers: bearer(await signInWith(app, auditor)) })).statusCode).toBe(200)
  })

  it('exposes proven-inference job times to /metrics (krain_proof_job_seconds)', async () => {
    const now = Date.now()
    await app.store.createJob({ id: 'ui-timed', owner: wallet(67).address, kind: 'proven-inference', modelId: 'm', state: 'confirmed', input: { input: [], salt: '1' }, result: null, error: null, txHash: null, createdAt: now - 4_000, updatedAt: now })
    const m1 = (await app.inject('/metrics')).body
    expect(m1).toMatch(/krain_proof_job_seconds_bucket\{le="5",state="confirmed"\} 1/)
    expect(m1).toMatch(/krain_proof_job_seconds_bucket\{le="2",state="confirmed"\} 0/)
    // each job is observed once, however often /metrics is scraped
    expect((await app.inject('/metrics')).body).toMatch(/krain_proof_job_seconds_count\{state="confirmed"\} 1\n/)
  })
})
