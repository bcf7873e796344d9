import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { circuitArtifactsDir } from '../scripts/lib/paths.js'
import { committedVerifierCircuits, generateVerifierSource, verifierSourcePath } from '../scripts/lib/verifiers.js'

const manifestPath = join(circuitArtifactsDir, 'manifest.json')
const manifestCircuits = existsSync(manifestPath) ? Object.keys((JSON.parse(readFileSync(manifestPath, 'utf8')) as { circuits: Record<string, unknown> }).circuits) : []

describe('generated verifiers', () => {
  afterAll(async () => {
    await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } | null }).curve_bn128?.terminate()
  })

  it('exist for every circuit of the manifest', () => {
    expect(committedVerifierCircuits()).toEqual([...manifestCircuits].sort())
  })

  it.each(committedVerifierCircuits())('%s: the committed source is what snarkjs generates from the committed zkey', async (circuit) => {
    const committed = readFileSync(verifierSourcePath(circuit), 'utf8')
    expect(committed, `regenerate: npm run generate-verifiers -w @krain/contracts && npm run compile -w @krain/contracts`).toBe(await generateVerifierSource(circuit))
  })
})
