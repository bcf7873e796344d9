import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { predictLabel } from '@krain/models'
import {
  buildCircuit,
  closeProvers,
  commitNetwork,
  commitNetworkInput,
  loadCircuit,
  proveNetwork,
  quantizeNetwork,
  quantizeNetworkInput,
  toSolidityCalldata,
  verifyNetwork,
  ZkArtifactError,
  ZkMalformedProofError,
  ZkProvingError,
  type NetworkCircuit,
  type ProveNetworkReturnType,
  type QuantizedNetwork,
  type WeightMode,
} from '../src/index.js'
import { networkSignals } from '../src/network/prove-network.js'
import { syntheticNetwork, syntheticRows } from './fixtures/synthetic.js'

// A shape no shipped circuit has: 20 features, 8 hidden ReLU units, 4 classes. The build cache is a
// fixed directory under the OS temp dir, so a re-run reuses the compiled and set-up circuits.
const cacheDir = join(tmpdir(), 'krain-zk-test-circuits')
const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax', 11)
const rows = syntheticRows(24, 20, 12)
const built = new Map<WeightMode, { q: QuantizedNetwork; c: NetworkCircuit; r: ProveNetworkReturnType }>()

beforeAll(async () => {
  for (const mode of ['committed', 'public'] as const) {
    const q = quantizeNetwork({ model, mode, calibration: rows })
    const phases = new Set<string>()
    const c = await buildCircuit({ quantized: q, cacheDir, onProgress: (p) => phases.add(p.phase) })
    expect(phases.has('done') || phases.has('cached')).toBe(true)
    const r = await proveNetwork({ circuit: c, quantized: q, input: rows[1]!, salt: 777n })
    built.set(mode, { q, c, r })
  }
}, 300_000)

afterAll(async () => {
  await closeProvers()
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
  await g.curve_bn128?.terminate()
})

describe.each(['committed', 'public'] as const)('a 20-8-4 ReLU model, %s weights', (mode) => {
  it('proves the float label with [output, modelCommitment, inputCommitment] and verifies off-chain (ours and snarkjs)', async () => {
    const { q, c, r } = built.get(mode)!
    expect(Number(r.output)).toBe(predictLabel(model, rows[1]!))
    const x = quantizeNetworkInput(q, rows[1]!)
    expect(r.publicSignals).toEqual([String(r.output), String(await commitNetwork(q)), String(await commitNetworkInput(q, x, 777n))])
    expect(await verifyNetwork({ circuit: c, ...r, expectedModelCommitment: await commitNetwork(q) })).toBe(true)
    expect(await snarkjs.groth16.verify(c.vkey, r.publicSignals, r.proof)).toBe(true)
    expect(toSolidityCalldata(r.proof, r.publicSignals).input).toEqual(r.publicSignals.map(BigInt))
    expect(readFileSync(c.verifierPath, 'utf8')).toMatch(/function verifyProof\(uint\[2\] calldata _pA, uint\[2\]\[2\] calldata _pB, uint\[2\] calldata _pC, uint\[3\] calldata _pubSignals\)/)
    expect(c.devOnly).toBe(true)
  })

  it('refuses a tampered proof, a tampered public signal and junk', async () => {
    const { c, r } = built.get(mode)!
    const flipOut = [String((BigInt(r.publicSignals[0]) + 1n) % 4n), r.publicSignals[1], r.publicSignals[2]]
    expect(await verifyNetwork({ circuit: c, proof: r.proof, publicSignals: flipOut })).toBe(false)
    expect(await verifyNetwork({ circuit: c, proof: r.proof, publicSignals: [r.publicSignals[0], String(BigInt(r.publicSignals[1]) + 1n), r.publicSignals[2]] })).toBe(false)
    const a = r.proof.pi_a
    expect(await verifyNetwork({ circuit: c, proof: { ...r.proof, pi_a: [a[1], a[0], a[2]] }, publicSignals: r.publicSignals })).toBe(false)
    expect(await verifyNetwork({ circuit: c, ...r, expectedInputCommitment: 1n })).toBe(false)
    await expect(verifyNetwork({ circuit: c, proof: { ...r.proof, pi_c: ['x', '1', '1'] } as never, publicSignals: r.publicSignals })).rejects.toThrow(ZkMalformedProofError)
    await expect(verifyNetwork({ circuit: c, proof: r.proof, publicSignals: r.publicSignals.slice(0, 2) })).rejects.toThrow(ZkMalformedProofError)
  })

  it('fails to produce a witness for an input that does not match its commitment', async () => {
    const { q, c } = built.get(mode)!
    const x = quantizeNetworkInput(q, rows[2]!)
    const good = networkSignals(q, x, 5n, await commitNetwork(q), await commitNetworkInput(q, x, 5n))
    await snarkjs.wtns.calculate(good, c.wasmPath, { type: 'mem' })
    const x2 = [...x]
    x2[7] = x2[7]! + 1n
    const bad = networkSignals(q, x2, 5n, await commitNetwork(q), await commitNetworkInput(q, x, 5n))
    await expect(snarkjs.wtns.calculate(bad, c.wasmPath, { type: 'mem' })).rejects.toThrow(/Assert Failed/)
    const wrongModel = { ...good, modelCommitment: (await commitNetwork(q)) + 1n }
    await expect(snarkjs.wtns.calculate(wrongModel, c.wasmPath, { type: 'mem' })).rejects.toThrow(/Assert Failed/)
  })
})

describe('the circuit cache', () => {
  it('serves a second build of the same shape from the cache, and refuses a circuit built from another quantisation', async () => {
    const { q, c } = built.get('committed')!
    const again = await buildCircuit({ quantized: q, cacheDir })
    expect(again.cached).toBe(true)
    expect(again.id).toBe(c.id)
    const other = quantizeNetwork({ model, mode: 'committed', calibration: rows, options: { weightBits: 12 } })
    await expect(proveNetwork({ circuit: c, quantized: other, input: rows[0]!, salt: 1n })).rejects.toThrow(ZkProvingError)
  })

  it('refuses tampered artifacts and manifests with ZkArtifactError', () => {
    const { c } = built.get('public')!
    const dir = mkdtempSync(join(tmpdir(), 'krain-zk-tamper-'))
    try {
      const fresh = (): string => {
        rmSync(join(dir, c.id), { recursive: true, force: true })
        cpSync(c.dir, join(dir, c.id), { recursive: true })
        return join(dir, c.id)
      }
      expect(loadCircuit({ id: c.id, cacheDir: dir === '' ? undefined : (fresh(), dir) }).key).toBe(c.key)
      // A flipped byte in the wasm.
      const wasm = join(fresh(), 'circuit.wasm')
      const bytes = readFileSync(wasm)
      bytes[100] = bytes[100]! ^ 1
      writeFileSync(wasm, bytes)
      expect(() => loadCircuit({ id: c.id, cacheDir: dir })).toThrow(ZkArtifactError)
      // A verification key swapped together with its hash in the manifest is caught by the spec check only if
      // the spec changes; a spec edited in the manifest no longer matches the content address.
      const m = join(fresh(), 'manifest.json')
      const man = JSON.parse(readFileSync(m, 'utf8'))
      man.spec.headBits += 1
      writeFileSync(m, JSON.stringify(man))
      expect(() => loadCircuit({ id: c.id, cacheDir: dir })).toThrow(/content address/)
      const m2 = join(fresh(), 'manifest.json')
      const man2 = JSON.parse(readFileSync(m2, 'utf8'))
      man2.files.zkey.sha256 = '00'.repeat(32)
      writeFileSync(m2, JSON.stringify(man2))
      expect(() => loadCircuit({ id: c.id, cacheDir: dir })).toThrow(ZkArtifactError)
      writeFileSync(m2, '{not json')
      expect(() => loadCircuit({ id: c.id, cacheDir: dir })).toThrow(ZkArtifactError)
      expect(() => loadCircuit({ id: 'net-unknown-000000000000', cacheDir: dir })).toThrow(ZkArtifactError)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
