/**
 * @module artifacts
 * Where the circuit artifacts live and how they are trusted: `manifest.json` pins every file
 * (wasm, zkey, verification key, r1cs) by sha256; files are hashed once per process before
 * first use, and a manifest whose circuit parameters differ from this package's `CIRCUITS`
 * is refused. The shipped artifacts come from a development setup (`devOnly: true`) and must
 * not protect anything of value; see `setup` for the production path.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aString, typeError } from '@krain/core'
import { ZkArtifactError } from '../errors.js'
import { CIRCUITS, templateArguments, type CircuitName, type CircuitSpec } from '../spec.js'

/** One pinned file of the manifest. */
export type ManifestFile = { path: string; sha256: string; bytes: number }

/** One circuit's entry in `manifest.json`. */
export type ManifestCircuit = {
  template: string
  args: number[]
  spec: CircuitSpec
  constraints: number
  wires: number
  publicSignals: string[]
  /** Phase-2 contributions to this circuit's key, with their hashes. */
  contributors: ManifestContributor[]
  files: { wasm: ManifestFile; zkey: ManifestFile; vkey: ManifestFile; r1cs: ManifestFile }
}

/** A contributor of the phase-2 ceremony recorded in the manifest. */
export type ManifestContributor = { name: string; kind: 'contribution' | 'beacon'; hash?: string }

/** The contents of `circuits/artifacts/manifest.json`. */
export type Manifest = {
  generated: string
  devOnly: boolean
  compiler: string
  ptau: { file: string; power: number; sha256: string; source: string }
  /** Who contributed to phase 2 (per-circuit hashes are in each circuit's entry). */
  contributors: Omit<ManifestContributor, 'hash'>[]
  circuits: Partial<Record<CircuitName, ManifestCircuit>>
}

/** Resolved, verified artifacts of one circuit. */
export type CircuitArtifacts = {
  name: CircuitName
  spec: CircuitSpec
  wasmPath: string
  zkeyPath: string
  r1csPath: string
  vkey: Record<string, unknown>
  constraints: number
  devOnly: boolean
}

const defaultDir = fileURLToPath(new URL('../../../../circuits/artifacts/', import.meta.url))
let currentDir: string = process.env.KRAIN_ZK_ARTIFACTS ? resolve(process.env.KRAIN_ZK_ARTIFACTS) : defaultDir
const manifests = new Map<string, Manifest>()
const verified = new Map<string, CircuitArtifacts>()

/**
 * Point @krain/zk at another artifacts directory (one with a `manifest.json`, e.g. the output
 * of a production `setup`). Default: `circuits/artifacts` of this repository, or the
 * `KRAIN_ZK_ARTIFACTS` environment variable.
 * @param dir - an absolute or relative directory
 * @example
 * ```ts
 * setArtifactsDir('/srv/krain/zk-artifacts')
 * ```
 */
export function setArtifactsDir(dir: string): void {
  currentDir = resolve(aString(dir, 'dir'))
}

/** Internal: drop cached manifests and verified files of a directory (after a setup rewrote it). */
export function forgetArtifacts(dir: string): void {
  manifests.delete(dir)
  for (const k of [...verified.keys()]) if (k.startsWith(`${dir}\u0000`)) verified.delete(k)
}

/** The artifacts directory in use. */
export function getArtifactsDir(): string {
  return currentDir
}

/** The repository's default artifacts directory (`circuits/artifacts`). */
export function defaultArtifactsDir(): string {
  return defaultDir
}

/** SHA-256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/**
 * Read and parse the manifest of an artifacts directory.
 * @param dir - the directory (default: the one in use)
 * @returns the manifest
 * @throws {ZkArtifactError} when it is missing or unreadable
 */
export function loadManifest(dir: string = currentDir): Manifest {
  const cached = manifests.get(dir)
  if (cached) return cached
  const file = join(dir, 'manifest.json')
  if (!existsSync(file)) throw new ZkArtifactError({ shortMessage: 'no circuit artifacts manifest', details: `${file} does not exist; run \`npm run setup -w @krain/circuits\`` })
  let m: Manifest
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest
  } catch (cause) {
    throw new ZkArtifactError({ shortMessage: 'unreadable circuit artifacts manifest', details: file, cause })
  }
  manifests.set(dir, m)
  return m
}

function sameArgs(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * The verified artifacts of one circuit: every file is hashed and compared with the manifest
 * (once per process and directory) and the circuit's parameters are compared with `CIRCUITS`.
 * @param name - the circuit
 * @param dir - the artifacts directory (default: the one in use)
 * @returns paths and the parsed verification key
 * @throws {ZkArtifactError} on a missing file, a hash mismatch or different parameters
 */
export function circuitArtifacts(name: CircuitName, dir: string = currentDir): CircuitArtifacts {
  if (typeof name !== 'string' || !(name in CIRCUITS)) typeError('circuit', `one of ${Object.keys(CIRCUITS).join(', ')}`, name)
  const key = `${dir}\u0000${name}`
  const hit = verified.get(key)
  if (hit) return hit
  const m = loadManifest(dir)
  const c = m.circuits[name]
  if (!c) throw new ZkArtifactError({ shortMessage: `circuit ${name} is not in the artifacts manifest`, details: dir })
  const spec = CIRCUITS[name]
  if (!sameArgs(c.args, templateArguments(spec)) || c.template !== spec.template) {
    throw new ZkArtifactError({ shortMessage: `artifacts of ${name} were built with other parameters`, details: `manifest ${c.template}(${c.args.join(', ')}), expected ${spec.template}(${templateArguments(spec).join(', ')})` })
  }
  const paths: Record<string, string> = {}
  for (const [kind, f] of Object.entries(c.files)) {
    const path = isAbsolute(f.path) ? f.path : join(dir, f.path)
    if (!existsSync(path)) throw new ZkArtifactError({ shortMessage: `missing ${kind} artifact of ${name}`, details: path })
    const h = sha256File(path)
    if (h !== f.sha256) throw new ZkArtifactError({ shortMessage: `${kind} artifact of ${name} does not match its pinned hash`, details: `${path}: sha256 ${h}, manifest ${f.sha256}` })
    paths[kind] = path
  }
  const vkey = JSON.parse(readFileSync(paths.vkey!, 'utf8')) as Record<string, unknown>
  const out: CircuitArtifacts = { name, spec, wasmPath: paths.wasm!, zkeyPath: paths.zkey!, r1csPath: paths.r1cs!, vkey, constraints: c.constraints, devOnly: m.devOnly }
  verified.set(key, out)
  return out
}
