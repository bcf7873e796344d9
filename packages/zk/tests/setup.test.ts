import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { breastCancerTask } from '@krain/models'
import { circuitArtifacts, closeProvers, defaultArtifactsDir, getArtifactsDir, proveInference, ptauPower, setArtifactsDir, setup, verifyInference, ZkSetupError, type Manifest } from '../src/index.js'

// The production path on the smallest circuit: phase 2 from the committed (dev) ptau with one
// random contribution, into a temporary directory.
const ptau = fileURLToPath(new URL('../../../circuits/ptau/pot14_final.ptau', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'krain-zk-setup-'))
let manifest: Manifest

beforeAll(async () => {
  manifest = await setup({ ptau, outDir, circuits: ['inference_logistic'], contributions: [{ name: 'alice' }] })
}, 180_000)

afterAll(async () => {
  setArtifactsDir(defaultArtifactsDir())
  await closeProvers()
  rmSync(outDir, { recursive: true, force: true })
})

describe('setup', () => {
  it('records the contributor, the ptau power and a non-dev manifest with pinned files', () => {
    expect(manifest.devOnly).toBe(false)
    expect(manifest.ptau.power).toBe(14)
    expect(manifest.contributors).toEqual([{ name: 'alice', kind: 'contribution' }])
    const c = manifest.circuits.inference_logistic!
    expect(c.contributors[0]!.hash).toMatch(/^[0-9a-f]{128}$/)
    expect(circuitArtifacts('inference_logistic', outDir).devOnly).toBe(false)
  })

  it('gives keys that prove and verify, and that the dev key does not accept', async () => {
    const { model, test } = breastCancerTask()
    setArtifactsDir(outDir)
    expect(getArtifactsDir()).toBe(outDir)
    const r = await proveInference({ model, input: test.x[2]!, salt: 42n })
    expect(await verifyInference(r)).toBe(true)
    expect(await verifyInference({ ...r, vkey: circuitArtifacts('inference_logistic', defaultArtifactsDir()).vkey })).toBe(false)
  })

  it('refuses a missing ptau and reads the power of a real one', async () => {
    expect(ptauPower(ptau)).toBe(14)
    await expect(setup({ ptau: join(outDir, 'nope.ptau'), outDir })).rejects.toBeInstanceOf(ZkSetupError)
  })
})
