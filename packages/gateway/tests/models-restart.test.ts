/**
 * A generated circuit survives a gateway restart: the build job and the model's quantisation are
 * stored, the circuit is reloaded from the cache (its files' hashes re-checked), and a proof is
 * made after the restart without rebuilding.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { predictLabel } from '@krain/models'
import { closeProvers } from '@krain/zk'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { syntheticNetwork, syntheticRows } from '../../zk/tests/fixtures/synthetic.js'

process.env.KRAIN_CIRCUIT_CACHE ??= join(tmpdir(), 'krain-zk-test-circuits')

describe('generated circuits across a restart', () => {
  afterAll(async () => closeProvers())

  it('reloads a built circuit after a restart and proves with it', async () => {
    const databaseUrl = join(mkdtempSync(join(tmpdir(), 'krain-models-restart-')), 'krain.db')
    const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax', 11)
    const rows = syntheticRows(24, 20, 12)
    let app = await testGateway({ config: { databaseUrl } })
    let token = await signInWith(app, wallet(70))
    const reg = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'relu', model, calibration: rows, mode: 'committed' } })
    expect(reg.statusCode).toBe(201)
    const { id, commitment } = reg.json() as { id: string; commitment: string }
    let status: { state: string; circuitId: string | null } = { state: 'queued', circuitId: null }
    for (let i = 0; i < 600 && !['proved', 'failed'].includes(status.state); i++) {
      status = (await app.inject({ method: 'GET', url: `/v1/models/${id}/circuit`, headers: bearer(token) })).json()
      if (status.state !== 'proved') await new Promise((r) => setTimeout(r, 200))
    }
    expect(status.state).toBe('proved') // no chain: built, registered on-chain at the first submission
    await app.close()

    app = await testGateway({ config: { databaseUrl } })
    await app.ready()
    token = await signInWith(app, wallet(71))
    const after = (await app.inject({ method: 'GET', url: `/v1/models/${id}/circuit`, headers: bearer(token) })).json() as { state: string; circuitId: string; vkey: object | null }
    expect(after).toMatchObject({ state: 'proved', circuitId: status.circuitId })
    expect(after.vkey).not.toBeNull()
    const job = await app.inject({ method: 'POST', url: `/v1/models/${id}/prove`, headers: bearer(token), payload: { input: rows[3] } })
    expect(job.statusCode).toBe(202)
    const proved = await app.jobs.waitFor((job.json() as { id: string }).id, ['proved'])
    expect(proved.error).toBeNull()
    expect(proved.result).toMatchObject({ circuit: status.circuitId, output: String(predictLabel(model, rows[3]!)), modelCommitment: commitment })
    await app.close()
  }, 180_000)
})
