import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { addressOf } from '@krain/mpc'
import { GatewayHttp, MpcParticipant } from '@krain/client'
import { wallet } from './helpers/app.js'
import { freePort, startChildGateway } from './helpers/child-gateway.js'
import { hospitalKeys, hospitalVectors, sumOf } from './helpers/hospitals.js'

describe('gateway killed mid-session', () => {
  const dir = mkdtempSync(join(tmpdir(), 'krain-restart-'))
  const kills: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const k of kills) await k()
    rmSync(dir, { recursive: true, force: true })
  })

  it('resumes from the store after SIGKILL and completes with the right result', async () => {
    const port = await freePort()
    const env = { KRAIN_CHAIN: 'none', KRAIN_PORT: String(port), KRAIN_DATA_DIR: dir, KRAIN_COORDINATOR_KEY: `0x${'c1'.repeat(32)}` }
    const first = await startChildGateway(env)
    kills.push(first.kill)
    const url = first.url
    const vectors = hospitalVectors()
    const creator = new GatewayHttp({ url, account: wallet(0) })
    const parties = hospitalKeys.map((k) => addressOf(k))
    const { sessionId } = await creator.request<{ sessionId: `0x${string}` }>('POST', '/v1/mpc/sessions', { body: { parties, threshold: 3, length: 32, bound: 1_000_000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } } })
    const hospitals = hospitalKeys.map((privateKey) => new MpcParticipant({ url, privateKey, sessionId, waitMs: 2_000 }))
    await Promise.all(hospitals.map((h) => h.join()))
    await Promise.all(hospitals.slice(0, 2).map((h, i) => h.share(vectors[i]!)))

    await first.kill() // no graceful shutdown
    const second = await startChildGateway(env)
    kills.push(second.kill)
    expect(second.url).toBe(url)

    const status = await creator.request<{ phase: string; joined: string[]; uploaded: string[] }>('GET', `/v1/mpc/sessions/${sessionId}`)
    expect(status.phase).toBe('share')
    expect(status.joined).toHaveLength(5)
    expect(status.uploaded).toEqual(parties.slice(0, 2))
    await Promise.all(hospitals.slice(2).map((h, i) => h.share(vectors[i + 2]!)))
    await Promise.all(hospitals.map((h) => h.sum()))
    const result = await hospitals[3]!.result()
    expect(result.contributors).toEqual(parties)
    const expected = sumOf(vectors)
    result.values.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 3))
    expect(result.values[30]).toBe(569)
  })
})
