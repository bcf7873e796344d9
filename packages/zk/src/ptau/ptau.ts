/**
 * @module ptau
 * Powers of tau (Groth16 phase 1, BN254) for the generated circuits: a table of pinned files
 * (power, sha256), a resolver that picks the smallest available pinned file whose power fits a
 * circuit, `importPtau` (copy a file into the ptau directory after checking it against the
 * table) and `preparePtau` (make one locally, resumable: new → public beacon → prepare phase 2).
 *
 * A prepared ptau of power n allows circuits with constraints + public signals + 1 ≤ 2^n
 * (n = 14: 16,380 constraints with 3 public signals; n = 16: 65,532).
 *
 * The locally made files are DEV ONLY: their only "contribution" is a public beacon, so anyone
 * can recompute tau and forge proofs. A production setup imports a public ceremony file and
 * adds phase-2 contributions (`setup`). CI never regenerates a ptau (≈ 8 min for 2^14, an hour
 * or more for 2^16 on two cores): it uses the pinned files.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as snarkjs from 'snarkjs'
import { aPositiveInt, aString, anObject } from '@krain/core'
import { ZkCircuitTooLargeError, ZkPtauError } from '../errors.js'
import { ptauPower } from '../setup/setup.js'

/** A pinned powers-of-tau file. */
export type PinnedPtau = { power: number; file: string; sha256: string; bytes: number; devOnly: boolean; source: string }

/** Beacon of the local phase 1 (as `circuits/scripts/setup.ts`). */
export const DEV_PTAU_BEACON = '6b7261696e2d6465762d7365747570206265616f6e2020202020202020202020'

const devSource = (n: number): string => `local development ceremony (INSECURE): snarkjs powersoftau new bn128 ${n}, beacon ${DEV_PTAU_BEACON} 2^10, prepare phase2`

/**
 * The powers-of-tau files Krain accepts, by sha256. The 2^14 file is committed in
 * `circuits/ptau/`; larger ones are made with `preparePtau` (the same recipe as the committed file,
 * whose steps are deterministic; byte identity with the pinned hash is checked, not assumed:
 * `pinned` in its result) or imported with `importPtau`.
 */
export const PINNED_PTAU: readonly PinnedPtau[] = [
  { power: 14, file: 'pot14_final.ptau', sha256: 'a7fa6af23600a6b70de46bf458ef0a770a95a3f7681fdcc874c47a87ce84dfa3', bytes: 18875891, devOnly: true, source: devSource(14) },
  // 75.5 MB: not committed to git (circuits/.gitignore); `preparePtau({ power: 16 })` remakes it byte for byte
  // (checked at power 10 against the snarkjs CLI recipe), or `importPtau` a copy.
  { power: 16, file: 'pot16_final.ptau', sha256: 'fd49f094907b10e931c47594399982709f3e06bd98c825e7cec3d55c12ec718c', bytes: 75498966, devOnly: true, source: devSource(16) },
]

/** The directories searched for ptau files, in order: `KRAIN_PTAU_DIR`, `~/.cache/krain/ptau`, the repository's `circuits/ptau`. */
export function ptauDirs(): string[] {
  const dirs = [join(homedir(), '.cache', 'krain', 'ptau'), fileURLToPath(new URL('../../../../circuits/ptau/', import.meta.url))]
  if (process.env.KRAIN_PTAU_DIR) dirs.unshift(resolve(process.env.KRAIN_PTAU_DIR))
  return dirs
}

/** Where `importPtau` / `preparePtau` write by default: the first of {@link ptauDirs}. */
export function defaultPtauDir(): string {
  return ptauDirs()[0]!
}

/** Largest constraint count a prepared ptau of `power` allows for a circuit with `publicSignals` public signals. */
export function maxConstraints(power: number, publicSignals = 3): number {
  return 2 ** power - publicSignals - 1
}

/** Smallest power whose ptau fits `constraints`. */
export function powerFor(constraints: number, publicSignals = 3): number {
  return Math.max(1, Math.ceil(Math.log2(constraints + publicSignals + 1)))
}

const hashes = new Map<string, string>()

/** sha256 of a file, streamed (a 2^16 ptau is ≈ 75 MB); cached per path, size and mtime. */
export async function sha256OfFile(path: string): Promise<string> {
  const st = statSync(path)
  const k = `${path}\0${st.size}\0${st.mtimeMs}`
  const hit = hashes.get(k)
  if (hit) return hit
  const h = createHash('sha256')
  await new Promise<void>((ok, fail) => {
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', ok)
      .on('error', fail)
  })
  const hex = h.digest('hex')
  hashes.set(k, hex)
  return hex
}

/** A ptau file found on this machine. */
export type AvailablePtau = PinnedPtau & { path: string }

/**
 * The pinned ptau files present (and intact) in {@link ptauDirs}, smallest power first.
 * @returns the files with their paths
 */
export async function availablePtau(): Promise<AvailablePtau[]> {
  const out: AvailablePtau[] = []
  for (const pin of PINNED_PTAU) {
    for (const dir of ptauDirs()) {
      const path = join(dir, pin.file)
      if (!existsSync(path) || statSync(path).size !== pin.bytes) continue
      if ((await sha256OfFile(path)) === pin.sha256) {
        out.push({ ...pin, path })
        break
      }
    }
  }
  return out.sort((a, b) => a.power - b.power)
}

/**
 * The smallest available pinned ptau that fits a circuit.
 * @param parameters - `{ constraints, publicSignals? }` (3 by default)
 * @returns the ptau
 * @throws {ZkCircuitTooLargeError} when none is large enough (with the count and the largest limit)
 * @example
 * ```ts
 * const { path, power } = await resolvePtau({ constraints: 12_000 })
 * ```
 */
export async function resolvePtau(parameters: { constraints: number; publicSignals?: number }): Promise<AvailablePtau> {
  const p = anObject(parameters, 'parameters') as { constraints: number; publicSignals?: number }
  const constraints = aPositiveInt(p.constraints, 'constraints')
  const pub = p.publicSignals ?? 3
  const all = await availablePtau()
  const fit = all.find((a) => maxConstraints(a.power, pub) >= constraints)
  if (fit) return fit
  const largest = all.at(-1)
  const limit = largest ? maxConstraints(largest.power, pub) : 0
  throw new ZkCircuitTooLargeError({
    shortMessage: `the circuit needs ${constraints} constraints; the largest available powers of tau allows ${limit}`,
    details: `needs power ${powerFor(constraints, pub)}; available: ${all.map((a) => `2^${a.power}`).join(', ') || 'none'}. Prepare or import one with \`krain zk ptau\` (preparePtau / importPtau).`,
    constraints,
    limit,
  })
}

/**
 * Import a powers-of-tau file: check its sha256 against {@link PINNED_PTAU} and copy it into the
 * ptau directory under its pinned name.
 * @param path - the file
 * @param dir - the destination (default {@link defaultPtauDir})
 * @returns the imported file
 * @throws {ZkPtauError} when the file is missing or not a pinned file
 * @example
 * ```ts
 * await importPtau('/downloads/pot16_final.ptau')
 * ```
 */
export async function importPtau(path: string, dir: string = defaultPtauDir()): Promise<AvailablePtau> {
  const src = resolve(aString(path, 'path'))
  if (!existsSync(src)) throw new ZkPtauError({ shortMessage: 'powers-of-tau file not found', details: src })
  const sha = await sha256OfFile(src)
  const pin = PINNED_PTAU.find((x) => x.sha256 === sha)
  if (!pin) throw new ZkPtauError({ shortMessage: 'not a pinned powers-of-tau file', details: `${basename(src)}: sha256 ${sha} is not in the pinned table (${PINNED_PTAU.map((x) => `2^${x.power}`).join(', ')})` })
  mkdirSync(dir, { recursive: true })
  const dest = join(resolve(dir), pin.file)
  if (resolve(dest) !== src) {
    copyFileSync(src, `${dest}.part`)
    renameSync(`${dest}.part`, dest)
  }
  return { ...pin, path: dest }
}

/** Progress of {@link preparePtau}. */
export type PtauProgress = { step: 'new' | 'beacon' | 'prepare' | 'done'; message: string }

/** Parameters of {@link preparePtau}. */
export type PreparePtauParameters = {
  /** log2 of the largest circuit (10..20). */
  power: number
  /** Output file (default `<defaultPtauDir>/pot<power>_final.ptau`). */
  out?: string
  onProgress?: (p: PtauProgress) => void
}

/**
 * Make a DEV ONLY prepared powers of tau locally (snarkjs: new → beacon → prepare phase 2, the
 * recipe of the committed 2^14 file). Resumable: finished intermediate steps (`<out>.0000`,
 * `<out>.beacon`) are kept until the end and skipped when present. Long: ≈ 8 min for 2^14 and an
 * hour or more for 2^16 on two cores.
 * @param parameters - `{ power, out?, onProgress? }`
 * @returns the path, power and sha256 (and whether it is one of the pinned files)
 * @throws {RangeError} for a power outside 10..20
 * @example
 * ```ts
 * await preparePtau({ power: 16, onProgress: (p) => console.log(p.step, p.message) })
 * ```
 */
export async function preparePtau(parameters: PreparePtauParameters): Promise<{ path: string; power: number; sha256: string; pinned: boolean }> {
  const p = anObject(parameters, 'parameters') as PreparePtauParameters
  const power = aPositiveInt(p.power, 'power')
  if (power < 10 || power > 20) throw new RangeError(`"power" expected an integer in [10, 20], got ${power}`)
  const out = resolve(p.out === undefined ? join(defaultPtauDir(), `pot${power}_final.ptau`) : aString(p.out, 'out'))
  mkdirSync(resolve(out, '..'), { recursive: true })
  const report = p.onProgress ?? (() => {})
  const logger = (step: PtauProgress['step']) => {
    const f = (m: unknown): void => report({ step, message: String(m) })
    return { info: f, debug: f, warn: f, error: f }
  }
  const s0 = `${out}.0000`
  const s1 = `${out}.beacon`
  const curve = await snarkjs.curves.getCurveFromName('bn128')
  try {
    if (!existsSync(s1)) {
      if (!existsSync(s0)) {
        report({ step: 'new', message: `powersoftau new bn128 ${power}` })
        await snarkjs.powersOfTau.newAccumulator(curve, power, `${s0}.part`, logger('new'))
        renameSync(`${s0}.part`, s0)
      }
      report({ step: 'beacon', message: 'public beacon (DEV ONLY)' })
      await snarkjs.powersOfTau.beacon(s0, `${s1}.part`, 'krain dev beacon', DEV_PTAU_BEACON, 10, logger('beacon'))
      renameSync(`${s1}.part`, s1)
    }
    report({ step: 'prepare', message: 'prepare phase 2' })
    await snarkjs.powersOfTau.preparePhase2(s1, `${out}.part`, logger('prepare'))
    renameSync(`${out}.part`, out)
    rmSync(s0, { force: true })
    rmSync(s1, { force: true })
  } finally {
    await curve.terminate()
  }
  if (ptauPower(out) !== power) throw new ZkPtauError({ shortMessage: 'the prepared powers of tau has the wrong power', details: out })
  const sha256 = await sha256OfFile(out)
  report({ step: 'done', message: `${out} sha256 ${sha256}` })
  return { path: out, power, sha256, pinned: PINNED_PTAU.some((x) => x.sha256 === sha256) }
}
