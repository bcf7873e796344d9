/**
 * @module routes/dashboard
 * Small read-only routes for the web dashboard (`/ui`): the MPC sessions the caller may read (the
 * store keeps a status snapshot of each, so listing replays nothing), and the verification key of
 * a job's proof, so a browser can check the Groth16 proof itself. Also registers the
 * `krain_proof_job_seconds` histogram the dashboard charts (see ./proof-times.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { circuitArtifacts, CIRCUITS } from '@krain/zk'
import { Type, type Static } from 'typebox'
import { errorResponses, IdParams } from '@krain/client/schemas/common'
import { ConflictError, NotFoundError } from '../../errors.js'
import { decodeJson, MpcSnapshot, StoreRowError } from '../../store/rows.js'
import { verificationKeyOf } from '../../zk/generated-circuits.js'
import { registerProofTimes } from './proof-times.js'

const Address = Type.String()
const MpcSessionSummary = Type.Object({
  id: Type.String(),
  creator: Address,
  phase: Type.String(),
  parties: Type.Array(Address),
  threshold: Type.Integer(),
  minContributors: Type.Integer(),
  length: Type.Integer(),
  deadlines: Type.Object({ join: Type.Integer(), share: Type.Integer(), sum: Type.Integer() }),
  joined: Type.Array(Address),
  uploaded: Type.Array(Address),
  summed: Type.Array(Address),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
})
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false })
const VerificationKeyResponse = Type.Object({ jobId: Type.String(), circuit: Type.String(), vkey: Type.Object({}, { additionalProperties: true }) })


/** Dashboard routes (prefix `/v1/dashboard`). */
export const dashboardRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  registerProofTimes(fastify)

  fastify.get('/mpc/sessions', { schema: { tags: ['mpc'], summary: 'MPC sessions I may read (creator, party; verifier/admin: all), newest first', querystring: ListQuery, response: { 200: Type.Array(MpcSessionSummary), ...errorResponses } } }, async (req) => {
    const who = req.caller()
    const me = who.address.toLowerCase()
    const all = who.roles.includes('admin') || who.roles.includes('verifier')
    const rows = await fastify.store.listMpcSessions()
    const out: Static<typeof MpcSessionSummary>[] = []
    for (const r of [...rows].sort((a, b) => b.createdAt - a.createdAt)) {
      let s: MpcSnapshot
      try {
        s = decodeJson(MpcSnapshot, r.state, { table: 'mpc_sessions', id: r.id, column: 'state' })
      } catch (e) {
        if (e instanceof StoreRowError) continue // an unreadable snapshot is not listed (GET /v1/mpc/sessions/:id replays its log)
        throw e
      }
      if (!all && r.creator.toLowerCase() !== me && !s.config.parties.some((p) => p.toLowerCase() === me)) continue
      const { config: c, status: st } = s
      out.push({
        id: r.id,
        creator: r.creator,
        phase: st.phase,
        parties: c.parties,
        threshold: c.threshold,
        minContributors: c.minContributors,
        length: c.length,
        deadlines: c.deadlines,
        joined: st.joined,
        uploaded: st.uploaded,
        summed: st.summed,
        failure: st.failure ? { code: st.failure.code, message: st.failure.message } : null,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      })
      if (out.length >= (req.query.limit ?? 50)) break
    }
    return out
  })

  fastify.get('/jobs/:id/verification-key', { schema: { tags: ['proofs'], summary: "The verification key of a proven job's circuit (to check its proof anywhere, e.g. in a browser)", params: IdParams, response: { 200: VerificationKeyResponse, 409: Type.Ref('ErrorResponse'), ...errorResponses } } }, async (req) => {
    req.caller()
    const job = await fastify.store.getJob(req.params.id)
    if (!job) throw new NotFoundError('job', req.params.id)
    req.authorize('jobs:read', { owner: job.owner })
    if (job.kind !== 'proven-inference' || !job.result) throw new ConflictError('JOB_NOT_PROVED', `job ${job.id} is ${job.state} and has no proof yet`)
    const r = job.result
    const vkey = r.circuit in CIRCUITS ? circuitArtifacts(r.circuit as keyof typeof CIRCUITS).vkey : verificationKeyOf(r.modelCommitment)
    if (!vkey) throw new NotFoundError('verification key of circuit', r.circuit)
    return { jobId: job.id, circuit: r.circuit, vkey }
  })
}
