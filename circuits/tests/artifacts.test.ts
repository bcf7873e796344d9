import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { describe, expect, it } from 'vitest'
import { CIRCUITS, loadManifest, publicSignalNames, sha256File, templateArguments, type CircuitName } from '@krain/zk'
import { circuitsDir } from '../scripts/build.js'
import { mainSource } from '../scripts/build.js'

const dir = join(circuitsDir, 'artifacts')
const manifest = loadManifest(dir)
const names = Object.keys(CIRCUITS) as CircuitName[]

describe('circuits/artifacts/manifest.json', () => {
  it('is marked as generated and DEV ONLY, with the ptau power used', () => {
    expect(manifest.generated).toMatch(/^GENERATED/)
    expect(manifest.devOnly).toBe(true)
    expect(manifest.ptau.power).toBe(14)
  })

  it('pins every artifact of every circuit by sha256', () => {
    for (const name of names) {
      const c = manifest.circuits[name]!
      expect(c, name).toBeDefined()
      for (const f of Object.values(c.files)) expect(sha256File(join(dir, f.path)), f.path).toBe(f.sha256)
    }
  })

  it('pins the committed powers-of-tau file when it is present', () => {
    const ptau = join(dir, manifest.ptau.file)
    if (existsSync(ptau)) expect(sha256File(ptau)).toBe(manifest.ptau.sha256)
    expect(manifest.ptau.file).toBe('../ptau/pot14_final.ptau')
  })

  it('records the constraint counts of the r1cs files, each within the ptau power', async () => {
    for (const name of names) {
      const c = manifest.circuits[name]!
      const info = (await snarkjs.r1cs.info(join(dir, c.files.r1cs.path))) as { nConstraints: number; nPubInputs: number; nOutputs: number }
      expect(info.nConstraints).toBe(c.constraints)
      expect(info.nPubInputs + info.nOutputs).toBe(3)
      expect(c.constraints + 3 + 1).toBeLessThanOrEqual(2 ** manifest.ptau.power)
    }
  })

  it('matches the parameters and public signals of @krain/zk, and the generated main sources', () => {
    for (const name of names) {
      const c = manifest.circuits[name]!
      expect(c.args).toEqual(templateArguments(CIRCUITS[name]))
      expect(c.publicSignals).toEqual(publicSignalNames(CIRCUITS[name]))
      expect(readFileSync(join(circuitsDir, 'src', `${name}.circom`), 'utf8')).toBe(mainSource(name))
      const vkey = JSON.parse(readFileSync(join(dir, c.files.vkey.path), 'utf8')) as { nPublic: number; protocol: string; curve: string }
      expect(vkey).toMatchObject({ nPublic: 3, protocol: 'groth16', curve: 'bn128' })
    }
  })
})
