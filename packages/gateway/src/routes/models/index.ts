/**
 * @module routes/models
 * Register a model (weights stay with the gateway; its Poseidon commitment is computed with
 * `@krain/zk`), list and describe models (never their weights), plan an encrypted inference,
 * run one on ciphertexts (in the worker pool), and request a proven inference (a job).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { modelShape, type Model } from '@krain/models'
import { Type, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js'
import { checkModelShape } from '../../models/model-shape.js'
import { prepareModel, type ModelMeta } from '../../models/prepare-model.js'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { JobView } from '@krain/client/schemas/jobs'
import { CircuitStatusSchema, EncryptedInferenceBody, EncryptedInferenceResponse, ModelInfo, PlanBody, ProveBody, RegisterModelBody, RegisterOnnxQuery } from '@krain/client/schemas/models'
import type { ModelRecord } from '../../store/types.js'
import { jobView } from '../jobs/view.js'
import { planFor } from '../../he/plan.js'
import { randomSalt, SNARK_SCALAR_FIELD, type WeightMode } from '@krain/zk'
import { buildJobId, CircuitBuilds } from '../../zk/circuit-builds.js'
import { circuitOfModel } from '../../zk/generated-circuits.js'

/** Body check of a raw-bytes route: the content-type parser produced a Buffer (or there was no body). */
const rawJsonBody = (data: unknown): boolean => {
  if (Buffer.isBuffer(data)) return true
  rawJsonBody.errors = [{ instancePath: '', message: 'must be object' }]
  return false
}
rawJsonBody.errors = [] as { instancePath: string; message: string }[]

/** A Fastify validator from a TypeBox schema, with Ajv-shaped errors for the error handler. */
function typeboxValidator(schema: TSchema): ((data: unknown) => boolean) & { errors?: { instancePath: string; message: string }[] } {
  const v = Compile(schema)
  const check = (data: unknown): boolean => {
    if (v.Check(data)) return true
    check.errors = [...v.Errors(data)].slice(0, 3).map((e) => ({ instancePath: e.instancePath, message: e.message }))
    return false
  }
  check.errors = [] as { instancePath: string; message: string }[]
  return check
}

/** The public view of a model: shapes and commitment, never its weights. */
type ModelView = ModelInfo

/** How long `GET /v1/models` serves its list from memory. */
const LIST_CACHE_MS = 1000

/** Models never change once registered: their shapes are computed once per process. */
const shapes = new Map<string, Omit<ModelView, 'id' | 'name' | 'kind' | 'owner' | 'commitment' | 'createdAt'>>()
const info = (m: ModelRecord): ModelView => {
  let shape = shapes.get(m.id)
  if (!shape) {
    const model = JSON.parse(m.spec) as Model
    const { inputs, outputs } = checkModelShape(model)
    const s = modelShape(model)
    const meta = m.meta ? (JSON.parse(m.meta) as ModelMeta) : null
    shape = { inputs, outputs, head: s.head, layers: s.layers, parameters: s.parameters, ...(meta ? { source: meta.source, proving: { ...meta.proving, ...(meta.proving.circuit === 'generated' ? { buildJobId: buildJobId(m.id) } : {}) } } : {}) }
    shapes.set(m.id, shape)
  }
  return { id: m.id, name: m.name, kind: m.kind, owner: m.owner, commitment: m.commitment, createdAt: m.createdAt, ...shape }
}

/** The calibrated input ranges stored with a model (registered with calibration rows). */
const calibrationOf = (m: ModelRecord): { lo: number[]; hi: number[] } | undefined => (m.meta ? ((JSON.parse(m.meta) as ModelMeta).calibration ?? undefined) : undefined)

/** Calibration rows from the binary route's query: CSV lines separated by ";". */
function parseCalibrationQuery(s: string): number[][] {
  const rows = s.split(';').filter((l) => l.trim() !== '').map((l) => l.split(',').map((v) => Number(v.trim())))
  if (rows.length === 0 || rows.some((r) => r.some((v) => !Number.isFinite(v)))) throw new BadRequestError('MODEL_CALIBRATION_INVALID', '"calibration" expected CSV rows of finite numbers separated by ";"')
  return rows
}

/** Model routes. */
export const modelRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  // The list is read by every agent and changes rarely: it is served from memory for up to
  // LIST_CACHE_MS (a registration here shows at once; one on another instance within that time).
  let listed: { until: number; views: Promise<ModelView[]> } | undefined
  const getModel = async (id: string): Promise<ModelRecord> => {
    const m = await fastify.store.getModel(id)
    if (!m) throw new NotFoundError('model', id)
    return m
  }

  const builds = new CircuitBuilds({ store: fastify.store, chain: () => fastify.chain, log: fastify.log })
  fastify.addHook('onReady', async () => builds.resume())
  fastify.addHook('preClose', async () => builds.stop())

  /** Register a prepared model: nothing is stored unless every check passed. */
  const register = async (who: { address: string }, p: { name: string; model?: unknown; onnx?: Uint8Array; calibration?: number[][]; mode?: WeightMode }): Promise<ModelView> => {
    const prepared = await prepareModel(p)
    const { model } = prepared
    const rec: ModelRecord = { id: `${p.name}-${randomUUID().slice(0, 8)}`, owner: who.address, name: p.name, kind: model.kind, spec: JSON.stringify(model), commitment: prepared.commitment, createdAt: Date.now(), meta: JSON.stringify(prepared.meta) }
    await fastify.store.putModel(rec)
    listed = undefined
    if (prepared.proving.circuit === 'generated') await builds.start(rec)
    return { ...info(rec), he: prepared.he, ...(prepared.onnx ? { onnx: prepared.onnx } : {}) }
  }

  fastify.post('/', { bodyLimit: 32 << 20, schema: { tags: ['models'], summary: 'Register a model (owner): JSON (`model`) or ONNX (`onnx`, base64); starts the circuit build of a provable model', body: RegisterModelBody, response: { 201: ModelInfo, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('models:register')
    const b = req.body
    if ((b.model === undefined) === (b.onnx === undefined)) throw new BadRequestError('INVALID_ARGUMENT', 'send exactly one of "model" (JSON) and "onnx" (base64)')
    const onnx = b.onnx !== undefined ? new Uint8Array(Buffer.from(b.onnx, 'base64')) : undefined
    return reply.code(201).send(await register(who, { name: b.name, ...(b.model ? { model: b.model } : {}), ...(onnx ? { onnx } : {}), ...(b.calibration ? { calibration: b.calibration } : {}), ...(b.mode ? { mode: b.mode } : {}) }))
  })

  fastify.post('/onnx', { bodyLimit: 16 << 20, schema: { tags: ['models'], summary: 'Register an ONNX model (owner): the .onnx bytes as application/octet-stream', consumes: ['application/octet-stream'], querystring: RegisterOnnxQuery, response: { 201: ModelInfo, 415: { $ref: 'ErrorResponse#' }, ...errorResponses } } }, async (req, reply) => {
    const who = req.authorize('models:register')
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new BadRequestError('MODEL_ONNX_INVALID', 'send the .onnx file as application/octet-stream')
    const q = req.query
    return reply.code(201).send(await register(who, { name: q.name, onnx: new Uint8Array(req.body), ...(q.calibration ? { calibration: parseCalibrationQuery(q.calibration) } : {}), ...(q.mode ? { mode: q.mode } : {}) }))
  })

  fastify.get('/:id/circuit', { schema: { tags: ['proofs'], summary: 'The circuit build of a model (progress, constraints, verifier, verification key)', params: IdParams, response: { 200: CircuitStatusSchema, ...errorResponses } } }, async (req) => {
    req.caller()
    const m = await getModel(req.params.id)
    const s = await builds.status(m.id)
    if (!s) throw new NotFoundError('circuit build of model', m.id)
    return s
  })

  fastify.get('/', { schema: { tags: ['models'], summary: 'List models', response: { 200: Type.Array(ModelInfo), ...errorResponses } } }, async () => {
    const now = Date.now()
    if (!listed || listed.until <= now) {
      const views = fastify.store.listModels().then((ms) => ms.map(info))
      listed = { until: now + LIST_CACHE_MS, views }
      views.catch(() => {
        if (listed?.views === views) listed = undefined
      })
    }
    return listed.views
  })

  fastify.get('/:id', { schema: { tags: ['models'], summary: 'Describe a model (never its weights)', params: IdParams, response: { 200: ModelInfo, ...errorResponses } } }, async (req) => info(await getModel(req.params.id)))

  fastify.post('/:id/he/plan', { schema: { tags: ['he'], summary: 'CKKS plan for an encrypted inference (parameters, rotations, layout)', params: IdParams, body: PlanBody, response: { 200: Type.Unknown(), ...errorResponses } } }, async (req) => {
    const m = await getModel(req.params.id)
    req.authorize('models:infer', { modelId: m.id, modelOwner: m.owner })
    const calibration = calibrationOf(m)
    return planFor(JSON.parse(m.spec) as Model, { ...req.body, ...(calibration ? { calibration } : {}) })
  })

  // Encrypted inference bodies are megabytes of base64: the route takes the raw bytes, and the
  // worker pool parses, validates (the same schema) and decodes them, so the event loop never holds
  // a multi-megabyte JSON.parse or pattern check while light routes wait.
  await fastify.register(async (raw) => {
    raw.removeContentTypeParser('application/json')
    raw.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: fastify.config.bulkBodyLimit }, (req, body, done) => {
      req.rawBody = body as Buffer // request signatures cover the exact bytes
      done(null, (body as Buffer).length === 0 ? undefined : body)
    })
    raw.post(
      '/:id/infer/encrypted',
      {
        bodyLimit: fastify.config.bulkBodyLimit,
        schema: { tags: ['he'], summary: 'Evaluate the model on a ciphertext batch; returns ciphertexts', params: IdParams, body: EncryptedInferenceBody, response: { 200: EncryptedInferenceResponse, ...errorResponses } },
        // The body schema is documented here and checked in the worker (see above).
        validatorCompiler: (({ schema, httpPart }: { schema: unknown; httpPart?: string }) => (httpPart === 'body' ? rawJsonBody : typeboxValidator(schema as TSchema))) as never,
      },
      async (req) => {
        const body = req.body as unknown as Buffer
        const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        const parsed = await fastify.pool.run({ kind: 'he-parse-infer-body', body: whole ? body : new Uint8Array(body) }, whole ? [body.buffer as ArrayBuffer] : undefined)
        const m = await getModel((req.params as { id: string }).id)
        const who = req.authorize('models:infer', { modelId: m.id, modelOwner: m.owner })
        const key = await fastify.store.getKey(parsed.keyId)
        if (!key || key.owner !== who.address) throw new NotFoundError('evaluation keys', parsed.keyId)
        const calibration = calibrationOf(m)
        const plan = JSON.stringify(planFor(JSON.parse(m.spec) as Model, { ...parsed.plan, ...(calibration ? { calibration } : {}) }))
        const task = { kind: 'he-infer' as const, keyId: key.id, model: m.spec, plan, ciphertexts: parsed.ciphertexts }
        let out = await fastify.pool.run(task)
        if ('needBundle' in out) out = await fastify.pool.run({ ...task, bundle: new Uint8Array(key.bundle) })
        if ('needBundle' in out) throw new BadRequestError('HE_KEYS_UNAVAILABLE', 'evaluation keys could not be loaded')
        fastify.metrics.encryptedInferences.inc({ model: m.name })
        return { ciphertexts: out.ciphertexts, count: out.ciphertexts.length }
      },
    )
  })

  fastify.post('/:id/prove', { schema: { tags: ['proofs'], summary: 'Prove an inference (a job: queued → proving → proved → submitted → confirmed)', params: IdParams, body: ProveBody, response: { 202: JobView, ...errorResponses } } }, async (req, reply) => {
    const m = await getModel(req.params.id)
    const who = req.authorize('jobs:create', { modelId: m.id, modelOwner: m.owner })
    if (!m.commitment) throw new BadRequestError('MODEL_NOT_PROVABLE', `model "${m.id}" has no circuit (no commitment)`)
    const meta = m.meta ? (JSON.parse(m.meta) as ModelMeta) : null
    if (meta?.proving.circuit === 'generated' && !circuitOfModel(m.id)) {
      const s = await builds.status(m.id)
      if (s?.state === 'failed') throw new BadRequestError('MODEL_CIRCUIT_FAILED', `the circuit build of model "${m.id}" failed: ${s.error?.message ?? 'unknown'}`)
      throw new ConflictError('MODEL_CIRCUIT_NOT_BUILT', `the circuit of model "${m.id}" is still being built (${s?.phase ?? s?.state ?? 'queued'}); follow GET /v1/models/${m.id}/circuit`)
    }
    const { inputs } = checkModelShape(JSON.parse(m.spec) as Model)
    if (req.body.input.length !== inputs) throw new BadRequestError('INPUT_SHAPE', `"input" expected ${inputs} features, got ${req.body.input.length}`)
    if (req.body.salt !== undefined && BigInt(req.body.salt) >= SNARK_SCALAR_FIELD) throw new BadRequestError('INVALID_ARGUMENT', '"salt" expected a field element below the BN254 scalar field order')
    const salt = req.body.salt ?? String(randomSalt())
    const job = await fastify.jobs.create({ owner: who.address, modelId: m.id, input: { input: req.body.input, salt } })
    return reply.code(202).send(jobView(job, true))
  })
}
