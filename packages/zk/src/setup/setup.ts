/**
 * @module setup
 * Groth16 trusted setup, phase 2 (circuit-specific), for Krain's circuits with snarkjs:
 * `zkey new` from a prepared powers-of-tau file, any number of `contribute` rounds (each one
 * recorded: name and contribution hash), an optional final random `beacon`, a `verify` of the
 * result against the r1cs and the ptau, then the verification key and a pinned manifest.
 *
 * The keys are sound if at least one phase-1 and one phase-2 contributor destroyed their
 * secret. The repository's development artifacts use a local phase 1 and a public beacon only:
 * anyone can recompute their toxic waste, so they are marked `devOnly` and protect nothing.
 * For production, pass a public ceremony file (e.g. the Hermez/Polygon `powersOfTau28_hez_final_14.ptau`)
 * and real contributions — `krain zk setup --ptau <file>`.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import * as snarkjs from 'snarkjs'
import { aString, anArray, anObject } from '@krain/core'
import { defaultArtifactsDir, forgetArtifacts, loadManifest, sha256File, type Manifest, type ManifestCircuit, type ManifestContributor, type ManifestFile } from '../artifacts/artifacts.js'
import { ZkSetupError } from '../errors.js'
import { CIRCUITS, publicSignalNames, templateArguments, type CircuitName } from '../spec.js'

/** One phase-2 contribution: who, and (optionally) their entropy; random when omitted. */
export type SetupContribution = { name: string; entropy?: string }

/** Parameters of {@link setup}. */
export type SetupParameters = {
  /** A prepared (phase-2 ready) powers-of-tau file with a power large enough for every circuit. */
  ptau: string
  /** Directory to write `<name>/<name>.{wasm,r1cs,zkey}`, `verification_key.json` and `manifest.json`. */
  outDir: string
  /** Directory holding the compiled `<name>/<name>.{wasm,r1cs}` (default: the repository's `circuits/artifacts`). */
  sourceDir?: string
  /** Circuits to set up (default: all). */
  circuits?: CircuitName[]
  /** Phase-2 contributions, applied in order. */
  contributions?: SetupContribution[]
  /** A final public-randomness beacon (hex hash, 2^iterationsExp hash iterations). */
  beacon?: { name: string; hash: string; iterationsExp: number }
  /** Mark the result as development-only (default: true when there is no contribution). */
  devOnly?: boolean
  /** How the ptau was obtained, recorded in the manifest. */
  ptauSource?: string
  /** Progress messages. */
  log?: (message: string) => void
}

/** The power (log2 of the maximum constraint count) of a powers-of-tau file, from its header. */
export function ptauPower(path: string): number {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(12)
    readSync(fd, head, 0, 12, 0)
    if (head.toString('latin1', 0, 4) !== 'ptau') throw new ZkSetupError({ shortMessage: 'not a powers-of-tau file', details: path })
    // Sections: type u32, size u64, then data; section 1 (header) = n8 u32, q (n8 bytes), power u32.
    let pos = 12
    const sec = Buffer.alloc(12)
    for (;;) {
      if (readSync(fd, sec, 0, 12, pos) < 12) throw new ZkSetupError({ shortMessage: 'powers-of-tau file has no header section', details: path })
      const type = sec.readUInt32LE(0)
      const size = Number(sec.readBigUInt64LE(4))
      if (type === 1) {
        const h = Buffer.alloc(4)
        readSync(fd, h, 0, 4, pos + 12)
        const n8 = h.readUInt32LE(0)
        readSync(fd, h, 0, 4, pos + 12 + 4 + n8)
        return h.readUInt32LE(0)
      }
      pos += 12 + size
    }
  } finally {
    closeSync(fd)
  }
}

function fileEntry(dir: string, path: string): ManifestFile {
  return { path: relative(dir, path), sha256: sha256File(path), bytes: statSync(path).size }
}

async function releaseCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> | void } | null }
  if (g.curve_bn128) {
    await g.curve_bn128.terminate()
    g.curve_bn128 = null
  }
}

/**
 * Run the phase-2 setup of Krain's circuits and write pinned artifacts.
 * @param parameters - `{ ptau, outDir }`, contributions, beacon, circuits
 * @returns the manifest written to `outDir/manifest.json`
 * @throws {TypeError|RangeError} on wrong arguments
 * @throws {ZkSetupError} when the ptau is too small, a step fails or the result does not verify
 * @example
 * ```ts
 * await setup({ ptau: 'powersOfTau28_hez_final_14.ptau', outDir: './zk', contributions: [{ name: 'alice' }, { name: 'bob' }] })
 * setArtifactsDir('./zk')
 * ```
 */
export async function setup(parameters: SetupParameters): Promise<Manifest> {
  const p = anObject(parameters, 'parameters') as SetupParameters
  const ptau = resolve(aString(p.ptau, 'ptau'))
  if (!existsSync(ptau)) throw new ZkSetupError({ shortMessage: 'powers-of-tau file not found', details: ptau })
  const outDir = resolve(aString(p.outDir, 'outDir'))
  const sourceDir = resolve(p.sourceDir ?? defaultArtifactsDir())
  const names = p.circuits ?? (Object.keys(CIRCUITS) as CircuitName[])
  const contributions = anArray<SetupContribution>(p.contributions ?? [], 'contributions', 0, 64)
  contributions.forEach((c, i) => aString(anObject(c, `contributions[${i}]`).name, `contributions[${i}].name`, 200))
  const log = p.log ?? (() => {})
  const power = ptauPower(ptau)
  const built = existsSync(join(sourceDir, 'manifest.json')) ? loadManifest(sourceDir) : undefined
  mkdirSync(outDir, { recursive: true })
  const circuits: Partial<Record<CircuitName, ManifestCircuit>> = {}
  let contributors: ManifestContributor[] = []
  try {
    for (const name of names) {
      const spec = CIRCUITS[name]
      const srcR1cs = join(sourceDir, name, `${name}.r1cs`)
      const srcWasm = join(sourceDir, name, `${name}.wasm`)
      if (!existsSync(srcR1cs) || !existsSync(srcWasm)) throw new ZkSetupError({ shortMessage: `compiled circuit ${name} not found`, details: `${srcR1cs}; run npm run build -w @krain/circuits` })
      const dir = join(outDir, name)
      mkdirSync(dir, { recursive: true })
      const r1cs = join(dir, `${name}.r1cs`)
      const wasm = join(dir, `${name}.wasm`)
      if (resolve(srcR1cs) !== r1cs) copyFileSync(srcR1cs, r1cs)
      if (resolve(srcWasm) !== wasm) copyFileSync(srcWasm, wasm)
      const info = (await snarkjs.r1cs.info(r1cs)) as { nConstraints: number; nVars: number; nPubInputs: number; nOutputs: number }
      const needed = Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1))
      if (needed > power) throw new ZkSetupError({ shortMessage: `circuit ${name} needs a powers-of-tau of power ${needed}`, details: `${basename(ptau)} has power ${power}` })
      log(`${name}: ${info.nConstraints} constraints; zkey new`)
      const steps: string[] = [join(dir, `${name}_0000.zkey`)]
      const csHash = await snarkjs.zKey.newZKey(r1cs, ptau, steps[0]!)
      if (csHash === -1 || !existsSync(steps[0]!) || statSync(steps[0]!).size === 0) throw new ZkSetupError({ shortMessage: `zkey new failed for ${name}` })
      const who: ManifestContributor[] = []
      for (const [i, c] of contributions.entries()) {
        const next = join(dir, `${name}_${String(i + 1).padStart(4, '0')}.zkey`)
        log(`${name}: contribution ${i + 1} (${c.name})`)
        const h = (await snarkjs.zKey.contribute(steps.at(-1)!, next, c.name, c.entropy ?? randomBytes(64).toString('hex'))) as Uint8Array
        who.push({ name: c.name, kind: 'contribution', hash: Buffer.from(h).toString('hex') })
        steps.push(next)
      }
      if (p.beacon) {
        const next = join(dir, `${name}_beacon.zkey`)
        log(`${name}: beacon`)
        const h = (await snarkjs.zKey.beacon(steps.at(-1)!, next, p.beacon.name, p.beacon.hash, p.beacon.iterationsExp)) as Uint8Array | false
        if (h === false) throw new ZkSetupError({ shortMessage: `beacon failed for ${name}`, details: 'check the beacon hash (hex) and iterations (10..63)' })
        who.push({ name: p.beacon.name, kind: 'beacon', hash: Buffer.from(h).toString('hex') })
        steps.push(next)
      }
      const zkey = join(dir, `${name}.zkey`)
      copyFileSync(steps.at(-1)!, zkey)
      for (const s of steps) rmSync(s, { force: true })
      log(`${name}: verify`)
      if (!(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey))) throw new ZkSetupError({ shortMessage: `the phase-2 key of ${name} does not verify against its r1cs and the ptau` })
      const vkeyPath = join(dir, 'verification_key.json')
      const vkey = await snarkjs.zKey.exportVerificationKey(zkey)
      writeFileSync(vkeyPath, `${JSON.stringify(vkey, null, 1)}\n`)
      contributors = who.map(({ name, kind }) => ({ name, kind }))
      circuits[name] = {
        template: spec.template,
        args: templateArguments(spec),
        spec,
        constraints: info.nConstraints,
        wires: built?.circuits[name]?.wires ?? info.nVars,
        publicSignals: publicSignalNames(spec),
        contributors: who,
        files: { wasm: fileEntry(outDir, wasm), zkey: fileEntry(outDir, zkey), vkey: fileEntry(outDir, vkeyPath), r1cs: fileEntry(outDir, r1cs) },
      }
    }
  } finally {
    await releaseCurve()
  }
  const devOnly = p.devOnly ?? contributions.length === 0
  const previous = existsSync(join(outDir, 'manifest.json')) ? loadManifestFresh(outDir) : undefined
  const manifest: Manifest = {
    generated: `GENERATED by @krain/zk setup() on ${new Date().toISOString().slice(0, 10)}; do not edit (hashes pin every file).${devOnly ? ' DEV ONLY: insecure trusted setup, never use for anything of value.' : ''}`,
    devOnly,
    compiler: built?.compiler ?? 'circom 2.2.3 (npm circom2 0.2.23), --O2',
    ptau: { file: relative(outDir, ptau), power, sha256: sha256File(ptau), source: p.ptauSource ?? 'user-supplied' },
    contributors,
    circuits: { ...(previous?.devOnly === devOnly ? previous.circuits : {}), ...circuits },
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  forgetArtifacts(outDir)
  return manifest
}

function loadManifestFresh(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  } catch {
    return undefined
  }
}
