import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { buildCircuit, estimateConstraints, generateCircuit, quantizeNetwork } from '../src/index.js'
import { syntheticNetwork, syntheticRows } from './fixtures/synthetic.js'
import { availablePtau, importPtau, maxConstraints, PINNED_PTAU, powerFor, resolvePtau, sha256OfFile, ZkCircuitTooLargeError, ZkPtauError } from '../src/index.js'

const shipped = fileURLToPath(new URL('../../../circuits/ptau/pot14_final.ptau', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'krain-ptau-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('powers of tau', () => {
  it('pins the shipped 2^14 file, which allows 16,380 constraints with 3 public signals', async () => {
    const pin = PINNED_PTAU.find((p) => p.power === 14)!
    expect(await sha256OfFile(shipped)).toBe(pin.sha256)
    expect(maxConstraints(14)).toBe(16_380)
    expect(powerFor(16_380)).toBe(14)
    expect(powerFor(16_381)).toBe(15)
  })

  it('resolves the smallest pinned file that fits, and refuses a circuit larger than every one with the count and the limit', async () => {
    const p = await resolvePtau({ constraints: 2_000 })
    expect(p.power).toBeGreaterThanOrEqual(14)
    const largest = Math.max(...PINNED_PTAU.map((x) => x.power))
    const e = await resolvePtau({ constraints: 2 ** largest }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ZkCircuitTooLargeError)
    expect((e as ZkCircuitTooLargeError).constraints).toBe(2 ** largest)
    expect((e as ZkCircuitTooLargeError).code).toBe('ZK_CIRCUIT_TOO_LARGE')
  })

  it('imports a pinned file by hash and refuses any other file', async () => {
    const r = await importPtau(shipped, dir)
    expect(r.path).toBe(join(dir, 'pot14_final.ptau'))
    expect(await sha256OfFile(r.path)).toBe(r.sha256)
    const junk = join(dir, 'junk.ptau')
    writeFileSync(junk, 'ptau not really')
    await expect(importPtau(junk, dir)).rejects.toThrow(ZkPtauError)
    await expect(importPtau(join(dir, 'missing.ptau'), dir)).rejects.toThrow(ZkPtauError)
  })

  it('refuses to build a circuit larger than every available ptau before compiling, with the estimate and the limit', async () => {
    const model = syntheticNetwork([256, 64, 10], 'relu', 'argmax', 9)
    const q = quantizeNetwork({ model, mode: 'committed', calibration: syntheticRows(4, 256), options: { weightBits: 8, inputFractionBits: 6, minAgreement: 0 } })
    const estimate = estimateConstraints(generateCircuit(q).spec)
    const e = await buildCircuit({ quantized: q, cacheDir: dir }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ZkCircuitTooLargeError)
    expect((e as ZkCircuitTooLargeError).constraints).toBe(estimate)
    expect((e as ZkCircuitTooLargeError).limit).toBe(maxConstraints((await availablePtau()).at(-1)!.power))
  })
})
