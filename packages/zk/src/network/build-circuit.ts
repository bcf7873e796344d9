/**
 * @module build-circuit
 * From a quantised network to proving artifacts, once per machine: generate the circom source,
 * compile it with circom2 and run the phase-2 setup in a worker thread (progress reported), export
 * the verification key and the Solidity verifier, and store everything in the circuit cache
 * under the circuit's content-addressed id, with a manifest pinning every file by sha256.
 *
 * Cache layout: `<cacheDir>/<id>/{circuit.circom, circuit.r1cs, circuit.wasm, circuit.zkey,
 * verification_key.json, Groth16Verifier.sol, manifest.json}`. A build writes into a temporary
 * directory and renames it into place, so a crash never leaves a half-written circuit. Loading
 * (`loadCircuit`) recomputes the key from the manifest's spec and every file's hash: a tampered
 * file or manifest is refused with `ZkArtifactError`.
 *
 * The phase-2 key is DEV ONLY (a public beacon is its only contribution): anyone can forge proofs
 * with it. Use `setup`-style contributions and a ceremony ptau for anything of value.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import { aString, anObject, typeError } from '@krain/core'
import { ZkArtifactError, ZkCircuitBuildError } from '../errors.js'
import { resolvePtau, sha256OfFile } from '../ptau/ptau.js'
import { ptauPower } from '../setup/setup.js'
import { circuitId, circuitKey, estimateConstraints, type NetworkCircuitSpec } from './circuit-spec.js'
import { generateCircuit } from './generate-circuit.js'
import { circom2Dir, circomlibDir, circuitLibDir, defaultCircuitCacheDir, snarkjsDir } from './paths.js'
import { isQuantizedNetwork, type QuantizedNetwork } from './quantize-network.js'

/** One pinned file of a circuit manifest. */
export type CircuitFile = { path: string; sha256: string; bytes: number }

/** `manifest.json` of a built circuit. */
export type CircuitManifest = {
  generated: string
  devOnly: boolean
  id: string
  key: string
  spec: NetworkCircuitSpec
  constraints: number
  wires: number
  /** The public signals' names: a batch circuit's are `['packedOutputs', 'modelCommitment', 'batchCommitment']`. */
  publicSignals: ['output', 'modelCommitment', 'inputCommitment'] | ['packedOutputs', 'modelCommitment', 'batchCommitment']
  compiler: string
  ptau: { power: number; sha256: string; file: string }
  beacon: { name: string; hash: string; iterationsExp: number; contributionHash: string }
  files: { source: CircuitFile; r1cs: CircuitFile; wasm: CircuitFile; zkey: CircuitFile; vkey: CircuitFile; verifier: CircuitFile }
  seconds: { compile: number; setup: number }
}

/** A built, verified circuit. */
export type NetworkCircuit = {
  id: string
  key: string
  dir: string
  spec: NetworkCircuitSpec
  constraints: number
  wasmPath: string
  zkeyPath: string
  r1csPath: string
  verifierPath: string
  vkey: Record<string, unknown>
  /** sha256 of `verification_key.json` (what a registry pins). */
  vkeySha256: string
  manifest: CircuitManifest
  devOnly: boolean
  /** True when the artifacts came from the cache. */
  cached: boolean
}

/** Progress of a build. */
export type BuildProgress = { phase: 'generate' | 'compile' | 'setup' | 'export' | 'cached' | 'done'; message: string }

/** Parameters of {@link buildCircuit}. */
export type BuildCircuitParameters = {
  /** The quantised network (see `quantizeNetwork`). */
  quantized: QuantizedNetwork
  /** Build the batch circuit of this many rows per proof (1..31; sign or argmax heads), see `generateBatchCircuit`. */
  batch?: number
  /** Cache directory (default `KRAIN_CIRCUIT_CACHE` or `~/.cache/krain/circuits`). */
  cacheDir?: string
  /** A prepared ptau file to use (default: the smallest pinned one that fits, see `resolvePtau`). */
  ptau?: string
  /** Also run snarkjs `zkey verify` against the r1cs and the ptau (slow; default false). */
  verifySetup?: boolean
  onProgress?: (p: BuildProgress) => void
}

/** The public beacon of the DEV ONLY phase 2 of generated circuits: sha256("krain dev phase2 beacon"). */
export const DEV_CIRCUIT_BEACON = { name: 'krain dev phase2 beacon (INSECURE, development only)', hash: createHash('sha256').update('krain dev phase2 beacon').digest('hex'), iterationsExp: 10 }

const FILES = { source: 'circuit.circom', r1cs: 'circuit.r1cs', wasm: 'circuit.wasm', zkey: 'circuit.zkey', vkey: 'verification_key.json', verifier: 'Groth16Verifier.sol' } as const

const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')
const fileEntry = (dir: string, name: string): CircuitFile => ({ path: name, sha256: sha256Of(join(dir, name)), bytes: statSync(join(dir, name)).size })

type WorkerResult = Record<string, unknown>

function runWorker(worker: Worker, job: Record<string, unknown>, onProgress: (p: BuildProgress) => void): Promise<WorkerResult> {
  return new Promise((ok, fail) => {
    const onMessage = (m: { id: number; type: string; phase?: BuildProgress['phase']; message?: string; ok?: boolean; result?: WorkerResult }): void => {
      if (m.id !== job.id) return
      if (m.type === 'progress') return onProgress({ phase: m.phase!, message: m.message! })
      worker.off('message', onMessage)
      worker.off('error', onError)
      if (m.ok) ok(m.result!)
      else fail(new ZkCircuitBuildError({ shortMessage: `${String(job.type)} failed`, details: m.message }))
    }
    const onError = (e: unknown): void => {
      worker.off('message', onMessage)
      fail(new ZkCircuitBuildError({ shortMessage: 'the circuit build worker died', details: String(e), cause: e }))
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.postMessage(job)
  })
}

/**
 * Build (or find in the cache) the circuit of a quantised network: circom source, r1cs, wasm,
 * DEV ONLY zkey, verification key and Solidity verifier.
 * @param parameters - `{ quantized, batch?, cacheDir?, ptau?, verifySetup?, onProgress? }`
 * @returns the verified circuit artifacts
 * @throws {TypeError} on a wrong argument
 * @throws {ZkCircuitTooLargeError} when no available ptau fits (estimate first, then the exact count)
 * @throws {ZkCircuitBuildError} when circom or snarkjs fails
 * @throws {ZkArtifactError} when a cached circuit of the same id was tampered with
 * @example
 * ```ts
 * const q = quantizeNetwork({ model, mode: 'committed', calibration: rows })
 * const circuit = await buildCircuit({ quantized: q, onProgress: (p) => console.log(p.phase, p.message) })
 * ```
 */
export async function buildCircuit(parameters: BuildCircuitParameters): Promise<NetworkCircuit> {
  const p = anObject(parameters, 'parameters') as BuildCircuitParameters
  if (!isQuantizedNetwork(p.quantized)) typeError('quantized', 'a quantised network (quantizeNetwork)', p.quantized)
  const cacheDir = resolve(p.cacheDir === undefined ? defaultCircuitCacheDir() : aString(p.cacheDir, 'cacheDir'))
  const report = p.onProgress ?? (() => {})
  report({ phase: 'generate', message: 'circom source' })
  const gen = generateCircuit(p.quantized, p.batch)
  const dir = join(cacheDir, gen.id)
  if (existsSync(join(dir, 'manifest.json'))) {
    const c = loadCircuit({ id: gen.id, cacheDir, spec: gen.spec })
    report({ phase: 'cached', message: `${gen.id} (${c.constraints} constraints)` })
    return c
  }
  const estimate = estimateConstraints(gen.spec)
  let ptau = p.ptau === undefined ? await resolvePtau({ constraints: estimate }) : undefined
  const tmp = join(cacheDir, `.${gen.id}.${randomBytes(6).toString('hex')}.tmp`)
  mkdirSync(tmp, { recursive: true })
  const worker = new Worker(new URL('./build-worker.js', import.meta.url))
  try {
    const source = join(tmp, FILES.source)
    writeFileSync(source, gen.source)
    const t0 = performance.now()
    report({ phase: 'compile', message: `circom2 --O2 (estimate ${estimate} constraints)` })
    const compiled = (await runWorker(worker, { id: 1, type: 'compile', circom2Dir: circom2Dir(), source, outDir: tmp, r1cs: join(tmp, 'circuit.r1cs'), includes: [circuitLibDir(), circomlibDir()] }, report)) as { constraints: number; wires: number; publicSignals: number }
    if (compiled.publicSignals !== 3) throw new ZkCircuitBuildError({ shortMessage: `the generated circuit has ${compiled.publicSignals} public signals, not 3` })
    renameSync(join(tmp, 'circuit_js', 'circuit.wasm'), join(tmp, FILES.wasm))
    rmSync(join(tmp, 'circuit_js'), { recursive: true, force: true })
    const tCompile = (performance.now() - t0) / 1000
    let ptauPath: string
    let ptauInfo: { power: number; sha256: string }
    if (p.ptau !== undefined) {
      ptauPath = resolve(aString(p.ptau, 'ptau'))
      if (!existsSync(ptauPath)) throw new ZkCircuitBuildError({ shortMessage: 'powers-of-tau file not found', details: ptauPath })
      ptauInfo = { power: ptauPower(ptauPath), sha256: await sha256OfFile(ptauPath) }
    } else {
      if (!ptau || 2 ** ptau.power < compiled.constraints + 4) ptau = await resolvePtau({ constraints: compiled.constraints })
      ptauPath = ptau.path
      ptauInfo = { power: ptau.power, sha256: ptau.sha256 }
    }
    report({ phase: 'setup', message: `phase 2 from 2^${ptauInfo.power} (DEV ONLY beacon), ${compiled.constraints} constraints` })
    const t1 = performance.now()
    const header = `// GENERATED by @krain/zk buildCircuit from circuit ${gen.id} (snarkjs verifier template); do not edit.\n// DEV ONLY trusted setup: never use this verifier for anything of value.\n`
    const set = (await runWorker(
      worker,
      { id: 2, type: 'setup', r1cs: join(tmp, FILES.r1cs), ptau: ptauPath, zkey0: join(tmp, 'circuit_0000.zkey'), zkey: join(tmp, FILES.zkey), vkey: join(tmp, FILES.vkey), verifier: join(tmp, FILES.verifier), verifierHeader: header, beacon: DEV_CIRCUIT_BEACON, verify: p.verifySetup === true, snarkjsDir: snarkjsDir() },
      report,
    )) as { beaconHash: string }
    rmSync(join(tmp, 'circuit_0000.zkey'), { force: true })
    const tSetup = (performance.now() - t1) / 1000
    const key = circuitKey(gen.spec)
    const manifest: CircuitManifest = {
      generated: `GENERATED by @krain/zk buildCircuit on ${new Date().toISOString().slice(0, 10)}; do not edit (hashes pin every file). DEV ONLY: insecure trusted setup, never use for anything of value.`,
      devOnly: true,
      id: gen.id,
      key,
      spec: gen.spec,
      constraints: compiled.constraints,
      wires: compiled.wires,
      publicSignals: gen.spec.batch === undefined ? ['output', 'modelCommitment', 'inputCommitment'] : ['packedOutputs', 'modelCommitment', 'batchCommitment'],
      compiler: `circom2 ${(JSON.parse(readFileSync(join(circom2Dir(), 'package.json'), 'utf8')) as { version: string }).version} (WebAssembly), --O2`,
      ptau: { power: ptauInfo.power, sha256: ptauInfo.sha256, file: ptauPath.split(/[\\/]/).pop()! },
      beacon: { ...DEV_CIRCUIT_BEACON, contributionHash: set.beaconHash },
      files: { source: fileEntry(tmp, FILES.source), r1cs: fileEntry(tmp, FILES.r1cs), wasm: fileEntry(tmp, FILES.wasm), zkey: fileEntry(tmp, FILES.zkey), vkey: fileEntry(tmp, FILES.vkey), verifier: fileEntry(tmp, FILES.verifier) },
      seconds: { compile: Math.round(tCompile * 10) / 10, setup: Math.round(tSetup * 10) / 10 },
    }
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true }) // another process finished first
    else renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  } finally {
    await worker.terminate()
  }
  const c = { ...loadCircuit({ id: gen.id, cacheDir, spec: gen.spec }), cached: false }
  report({ phase: 'done', message: `${gen.id}: ${c.constraints} constraints` })
  return c
}

/** Parameters of {@link loadCircuit}. */
export type LoadCircuitParameters = {
  /** The circuit id (directory name in the cache). */
  id: string
  cacheDir?: string
  /** When given, the manifest's spec must be this one. */
  spec?: NetworkCircuitSpec
}

/**
 * Find a built circuit in the cache and verify it: the manifest's key must be the hash of its
 * spec, its id must match, and every file must match its pinned sha256 (hashed once per process
 * while the files' inodes, sizes, mtimes, ctimes and the manifest stay the same).
 * @param parameters - `{ id, cacheDir?, spec? }`
 * @returns the circuit
 * @throws {ZkArtifactError} when it is missing, or any file or the manifest was altered
 * @example
 * ```ts
 * const c = loadCircuit({ id: 'net-20-8r-4-argmax-w9-x12-1a2b3c4d5e6f' })
 * ```
 */
export function loadCircuit(parameters: LoadCircuitParameters): NetworkCircuit {
  const p = anObject(parameters, 'parameters') as LoadCircuitParameters
  const id = aString(p.id, 'id', 200)
  if (!/^[a-z0-9.-]+$/.test(id)) throw new RangeError(`"id" expected a circuit id (a-z, 0-9, '.', '-'), got ${id}`)
  const cacheDir = resolve(p.cacheDir === undefined ? defaultCircuitCacheDir() : aString(p.cacheDir, 'cacheDir'))
  const dir = join(cacheDir, id)
  const file = join(dir, 'manifest.json')
  if (!existsSync(file)) throw new ZkArtifactError({ shortMessage: `circuit ${id} is not built`, details: `${file} does not exist; build it with buildCircuit` })
  let m: CircuitManifest
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as CircuitManifest
  } catch (cause) {
    throw new ZkArtifactError({ shortMessage: `unreadable manifest of circuit ${id}`, details: file, cause })
  }
  let key: string
  try {
    key = circuitKey(m.spec)
  } catch (cause) {
    throw new ZkArtifactError({ shortMessage: `malformed manifest of circuit ${id}`, details: file, cause })
  }
  if (m.key !== key || m.id !== id || circuitId(m.spec) !== id) throw new ZkArtifactError({ shortMessage: `the manifest of circuit ${id} does not match its content address`, details: `spec hashes to ${key}, manifest says ${String(m.key)} / ${String(m.id)}` })
  if (p.spec !== undefined && circuitKey(p.spec) !== key) throw new ZkArtifactError({ shortMessage: `circuit ${id} was built from another spec`, details: file })
  const stat = (f: string): string => {
    if (!existsSync(join(dir, f))) return '-'
    const st = statSync(join(dir, f))
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
  }
  const stamp = Object.values(FILES).map(stat).join(',') + readFileSync(file, 'utf8')
  const hit = verifiedCircuits.get(dir)
  if (hit && hit.stamp === stamp) return hit.circuit
  const paths: Record<string, string> = {}
  for (const [kind, want] of Object.entries(FILES)) {
    const f = (m.files as Record<string, CircuitFile | undefined>)?.[kind]
    const path = join(dir, want)
    if (!f || f.path !== want) throw new ZkArtifactError({ shortMessage: `the manifest of circuit ${id} has no ${kind} entry`, details: file })
    if (!existsSync(path)) throw new ZkArtifactError({ shortMessage: `missing ${kind} artifact of circuit ${id}`, details: path })
    const h = sha256Of(path)
    if (h !== f.sha256) throw new ZkArtifactError({ shortMessage: `${kind} artifact of circuit ${id} does not match its pinned hash`, details: `${path}: sha256 ${h}, manifest ${f.sha256}` })
    paths[kind] = path
  }
  const vkey = JSON.parse(readFileSync(paths.vkey!, 'utf8')) as Record<string, unknown>
  if (vkey.nPublic !== 3 || vkey.protocol !== 'groth16' || vkey.curve !== 'bn128') throw new ZkArtifactError({ shortMessage: `the verification key of circuit ${id} is not a 3-signal BN254 Groth16 key`, details: paths.vkey })
  const circuit: NetworkCircuit = { id, key, dir, spec: m.spec, constraints: m.constraints, wasmPath: paths.wasm!, zkeyPath: paths.zkey!, r1csPath: paths.r1cs!, verifierPath: paths.verifier!, vkey, vkeySha256: m.files.vkey.sha256, manifest: m, devOnly: m.devOnly, cached: true }
  verifiedCircuits.set(dir, { stamp, circuit })
  return circuit
}

/** Circuits verified in this process, by directory, with the sizes and mtimes of their files (re-hashed when any changes). */
const verifiedCircuits = new Map<string, { stamp: string; circuit: NetworkCircuit }>()
