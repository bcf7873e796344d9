/**
 * @module routes/models
 * Register a model (weights stay with the gateway; its Poseidon commitment is computed with
 * `@krain/zk`), list and describe models (never their weights), plan an encrypted inference,
 * run one on ciphertexts (`encrypted-inference.ts`), and request a proven inference (a job), or a
 * batch of k in one proof (`prove-batch.ts`).
 */
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js'
import { ModelCatalog } from '../../models/model-catalog.js'
import { checkModelShape } from '../../models/model-shape.js'
import { prepareModel } from '../../models/prepare-model.js'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { JobView } from '@krain/client/schemas/jobs'
import { CircuitStatusSchema, ModelInfo, PlanBody, ProveBody, RegisterModelBody, RegisterOnnxQuery } from '@krain/client/schemas/models'
import type { ModelRecord } from '../../store/types.js'
import { jobView } from '../jobs/view.js'
import { planFor } from '../../he/plan.js'
import { randomSalt, SNARK_SCALAR_FIELD, type WeightMode } from '@krain/zk'
import { CircuitBuilds } from '../../zk/circuit-builds.js'
import { circuitOfModel } from '../../zk/generated-circuits.js'
import { encryptedInferenceRoute } from './encrypted-inference.js'
import { proveBatchRoute } from './prove-batch.js'

/** Calibration rows from the binary route's query: CSV lines separated by ";". */
function parseCalibrationQuery(s: string): number[][] {
  const rows = s.split(';').filter((l) => l.trim() !== '').map((l) => l.split(',').map((v) => Number(v.trim())))
  if (rows.length === 0 || rows.some((r) => r.some((v) => !Number.isFinite(v)))) throw new BadRequestError('MODEL_CALIBRATION_INVALID', '"calibration" expected CSV rows of finite numbers separated by ";"')
  return rows
}

/** Model routes. */
export const modelRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const models = new ModelCatalog(fastify.store)
  const builds = new CircuitBuilds({ store: fastify.store, chain: () => fastify.chain, log: fastify.log, queue: fastify.queue, jobs: fastify.config.jobs })
  fastify.addHook('onReady', async () => builds.resume())
  fastify.addHook('preClose', async () => builds.stop())

  /** Register a prepared model: nothing is stored unless every check passed. */
  const register = async (who: { address: string }, p: { name: string; model?: unknown; onnx?: Uint8Array; calibration?: number[][]; mode?: WeightMode }): Promise<ModelInfo> => {
    const prepared = await prepareModel(p)
    const { model } = prepared
    const rec: ModelRecord = { id: `${p.name}-${randomUUID().slice(0, 8)}`, owner: who.address, name: p.name, kind: model.kind, spec: model, commitment: prepared.commitment, createdAt: Date.now(), meta: prepared.meta }
    await fastify.store.putModel(rec)
    models.changed()
    if (prepared.proving.circuit === 'generated') await builds.start(rec)
    return { ...models.view(rec), he: prepared.he, ...(prepared.onnx ? { onnx: prepared.onnx } : {}) }
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
    const m = await models.get(req.params.id)
    const s = await builds.status(m.id)
    if (!s) throw new NotFoundError('circuit build of model', m.id)
    return s
  })

  fastify.get('/', { schema: { tags: ['models'], summary: 'List models', response: { 200: Type.Array(ModelInfo), ...errorResponses } } }, async () => models.list())

  fastify.get('/:id', { schema: { tags: ['models'], summary: 'Describe a model (never its weights)', params: IdParams, response: { 200: ModelInfo, ...errorResponses } } }, async (req) => models.view(await models.get(req.params.id)))

  fastify.post('/:id/he/plan', { schema: { tags: ['he'], summary: 'CKKS plan for an encrypted inference (parameters, rotations, layout)', params: IdParams, body: PlanBody, response: { 200: Type.Unknown(), ...errorResponses } } }, async (req) => {
    const m = await models.get(req.params.id)
    req.authorize('models:infer', { modelId: m.id, modelOwner: m.owner })
    const calibration = m.meta?.calibration
    return planFor(m.spec, { ...req.body, ...(calibration ? { calibration } : {}) })
  })

  await fastify.register(encryptedInferenceRoute, { models })
  await fastify.register(proveBatchRoute, { models })

  fastify.post('/:id/prove', { schema: { tags: ['proofs'], summary: 'Prove an inference (a job: queued → proving → proved → submitted → confirmed)', params: IdParams, body: ProveBody, response: { 202: JobView, ...errorResponses } } }, async (req, reply) => {
    const m = await models.get(req.params.id)
    const who = req.authorize('jobs:create', { modelId: m.id, modelOwner: m.owner })
    if (!m.commitment) throw new BadRequestError('MODEL_NOT_PROVABLE', `model "${m.id}" has no circuit (no commitment)`)
    if (m.meta?.proving.circuit === 'generated' && !circuitOfModel(m.id)) {
      const s = await builds.status(m.id)
      if (s?.state === 'failed') throw new BadRequestError('MODEL_CIRCUIT_FAILED', `the circuit build of model "${m.id}" failed: ${s.error?.message ?? 'unknown'}`)
      // built by a worker (KRAIN_JOBS=external): the workers prove from the shared circuit cache
      if (s?.state !== 'proved' && s?.state !== 'confirmed') throw new ConflictError('MODEL_CIRCUIT_NOT_BUILT', `the circuit of model "${m.id}" is still being built (${s?.phase ?? s?.state ?? 'queued'}); follow GET /v1/models/${m.id}/circuit`)
    }
    const { inputs } = checkModelShape(m.spec)
    if (req.body.input.length !== inputs) throw new BadRequestError('INPUT_SHAPE', `"input" expected ${inputs} features, got ${req.body.input.length}`)
    if (req.body.salt !== undefined && BigInt(req.body.salt) >= SNARK_SCALAR_FIELD) throw new BadRequestError('INVALID_ARGUMENT', '"salt" expected a field element below the BN254 scalar field order')
    const salt = req.body.salt ?? String(randomSalt())
    const job = await fastify.jobs.create({ owner: who.address, modelId: m.id, input: { input: req.body.input, salt } })
    return reply.code(202).send(jobView(job, true))
  })
}
