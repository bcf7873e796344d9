/**
 * @module ckks/evaluation-keys
 * The evaluation-key bundle: what a CKKS client hands to a server so that it can compute on the
 * client's ciphertexts without being able to decrypt them. It holds the public key, the
 * relinearisation keys (when a ciphertext × ciphertext product is needed) and the Galois keys of
 * exactly the rotation steps the computation uses (SEAL's default set has 2·log2(N/2) keys; a
 * model usually needs a handful). Keys are serialised in SEAL's seeded form (half of each key is
 * regenerated from a 64-byte seed) and zstd-compressed. (Ciphertexts, by contrast, travel
 * uncompressed: see `CkksClient.encryptSlots`.)
 *
 * Wire format (version 1), all integers little-endian:
 * `"KHEK"` · u8 version · 3 zero bytes · u32 header length · header (UTF-8 JSON: parameters,
 * parameter fingerprint, Galois steps, section lengths) · sections (SEAL objects) · SHA-256 of
 * everything before it (32 bytes). Truncation, padding and bit flips fail the length or hash
 * checks before any byte reaches SEAL.
 */
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { sha256 as fastSha256 } from '../inference/envelope.js'
import { anObject } from '@krain/core'
import type { GaloisKeys } from 'node-seal/implementation/galois-keys.js'
import type { PublicKey } from 'node-seal/implementation/public-key.js'
import type { RelinKeys } from 'node-seal/implementation/relin-keys.js'
import { HeDisposedError, HeKeyMismatchError, HeSerializationError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import { countSealObjects } from '../seal/scope.js'
import { bytesOf, checkSealBytes } from '../seal/serialization.js'
import { createCkksContext, type CkksContext } from './ckks-context.js'
import { checkCkksParameters, type CkksParameters } from './ckks-parameters.js'

const MAGIC = [0x4b, 0x48, 0x45, 0x4b] // "KHEK"
/** Version of the evaluation-key bundle format written by this package. */
export const EVALUATION_KEYS_VERSION = 1
const MAX_HEADER = 1 << 16

/** The JSON header of a bundle. */
export type EvaluationKeysHeader = {
  scheme: 'ckks'
  params: CkksParameters
  paramsId: string
  galoisSteps: number[]
  relin: boolean
  sections: { name: 'public' | 'relin' | 'galois'; bytes: number }[]
}

/** Server-side evaluation keys (no secret key). Dispose to free their WASM memory. */
export type EvaluationKeys = {
  readonly ctx: CkksContext
  readonly paramsId: string
  /** Key id: digest of the bundle's public key (see {@link keyIdOf}); ciphertext envelopes carry it. */
  readonly keyId: string
  readonly publicKey: PublicKey
  readonly relinKeys: RelinKeys | undefined
  readonly galoisKeys: GaloisKeys | undefined
  /** Rotation steps whose Galois keys are loaded (normalised to 0 < step < N/2). */
  readonly galoisSteps: ReadonlySet<number>
  /** Size of the bundle they were loaded from. */
  readonly bundleBytes: number
  readonly disposed: boolean
  dispose(): void
  [Symbol.dispose](): void
}

/** @internal Build an {@link EvaluationKeys} from loaded SEAL objects (takes ownership). */
export function makeEvaluationKeys(ctx: CkksContext, publicKey: PublicKey, relinKeys: RelinKeys | undefined, galoisKeys: GaloisKeys | undefined, steps: number[], bundleBytes: number, keyId: string): EvaluationKeys {
  const owned = [publicKey, relinKeys, galoisKeys].filter((x) => x !== undefined)
  countSealObjects(owned.length)
  let disposed = false
  const onDispose: (() => void)[] = []
  const keys = {
    ctx,
    paramsId: ctx.paramsId,
    keyId,
    publicKey,
    relinKeys,
    galoisKeys,
    galoisSteps: new Set(steps),
    bundleBytes,
    get disposed() {
      return disposed
    },
    dispose() {
      if (disposed) return
      disposed = true
      for (const f of onDispose.splice(0)) f()
      for (const k of owned) k.delete()
      countSealObjects(-owned.length)
    },
    [Symbol.dispose]() {
      keys.dispose()
    },
  }
  disposers.set(keys, onDispose)
  return keys
}

const disposers = new WeakMap<object, (() => void)[]>()

/** @internal Run `f` when `keys` are disposed (compiled models hang off their keys). */
export function onKeysDispose(keys: EvaluationKeys, f: () => void): void {
  disposers.get(keys)?.push(f)
}

/** @internal Throw if `keys` were disposed. */
export function assertLive(keys: EvaluationKeys): void {
  if (keys.disposed) throw new HeDisposedError({ shortMessage: 'evaluation keys were disposed' })
}

/** @internal Serialise a bundle from SEAL's serialised sections. */
export function writeBundle(header: Omit<EvaluationKeysHeader, 'sections'>, sections: { name: 'public' | 'relin' | 'galois'; data: Uint8Array }[]): Uint8Array {
  const fullHeader: EvaluationKeysHeader = { ...header, sections: sections.map((s) => ({ name: s.name, bytes: s.data.length })) }
  const json = new TextEncoder().encode(JSON.stringify(fullHeader))
  const body = 12 + json.length + sections.reduce((a, s) => a + s.data.length, 0)
  const out = new Uint8Array(body + 32)
  out.set(MAGIC, 0)
  out[4] = EVALUATION_KEYS_VERSION
  new DataView(out.buffer).setUint32(8, json.length, true)
  out.set(json, 12)
  let off = 12 + json.length
  for (const s of sections) {
    out.set(s.data, off)
    off += s.data.length
  }
  out.set(fastSha256(out.subarray(0, body)), body)
  return out
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

function bad(shortMessage: string, details?: string): never {
  throw new HeSerializationError({ shortMessage, details })
}

/** @internal Parse and check a bundle's framing; returns header and section bytes. */
export function readBundle(bytes: Uint8Array): { header: EvaluationKeysHeader; sections: Map<string, Uint8Array> } {
  if (bytes.length < 12 + 32) bad('evaluation-key bundle is too short')
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) bad('not an evaluation-key bundle (bad magic)')
  if (bytes[4] !== EVALUATION_KEYS_VERSION) bad(`unsupported evaluation-key bundle version ${bytes[4]}`, `this package reads version ${EVALUATION_KEYS_VERSION}`)
  const body = bytes.length - 32
  if (!sameBytes(fastSha256(bytes.subarray(0, body)), bytes.subarray(body))) bad('evaluation-key bundle is truncated or corrupted (checksum mismatch)')
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
  if (headerLength > MAX_HEADER || 12 + headerLength > body) bad('evaluation-key bundle header length is out of range')
  let header: EvaluationKeysHeader
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength))) as EvaluationKeysHeader
  } catch (e) {
    throw new HeSerializationError({ shortMessage: 'evaluation-key bundle header is not valid JSON', cause: e })
  }
  anObject(header, 'bundle.header')
  if (header.scheme !== 'ckks') bad('evaluation-key bundle is not for CKKS')
  if (!Array.isArray(header.sections) || !Array.isArray(header.galoisSteps) || typeof header.paramsId !== 'string') bad('evaluation-key bundle header is incomplete')
  const sections = new Map<string, Uint8Array>()
  let off = 12 + headerLength
  for (const s of header.sections) {
    if (!['public', 'relin', 'galois'].includes(s?.name) || !Number.isSafeInteger(s.bytes) || s.bytes < 0 || off + s.bytes > body || sections.has(s.name)) bad('evaluation-key bundle sections are malformed')
    sections.set(s.name, bytes.subarray(off, off + s.bytes))
    off += s.bytes
  }
  if (off !== body) bad('evaluation-key bundle has trailing bytes')
  return { header, sections }
}

/** Options of {@link loadEvaluationKeys}. */
export type LoadEvaluationKeysOptions = {
  /** Refuse a bundle made for other parameters (e.g. the plan's). */
  expectParams?: CkksParameters
  /** Refuse a bundle that lacks Galois keys for these steps (e.g. the plan's). */
  requireGaloisSteps?: number[]
  /** Refuse a bundle without relinearisation keys. */
  requireRelin?: boolean
}

/**
 * Load an evaluation-key bundle on the server side (validated).
 * @param bundle - bytes (or base64) from `CkksClient.exportEvaluationKeys()`
 * @param options - what the bundle must match (parameters, Galois steps, relinearisation keys)
 * @returns evaluation keys; `dispose()` them when done
 * @throws {TypeError} when `bundle` is not bytes or base64
 * @throws {HeSerializationError} when the bundle is truncated, corrupted or of another version
 * @throws {HeKeyMismatchError} when it was made for other parameters or lacks required keys
 * @example
 * ```ts
 * const keys = await loadEvaluationKeys(bundleFromClient, { expectParams: plan.params })
 * ```
 */
export async function loadEvaluationKeys(bundle: Uint8Array | string, options: LoadEvaluationKeysOptions = {}): Promise<EvaluationKeys> {
  const bytes = bytesOf(bundle, 'bundle')
  const { header, sections } = readBundle(bytes)
  let params: CkksParameters
  try {
    params = checkCkksParameters(header.params, 'bundle.params')
  } catch (e) {
    throw new HeSerializationError({ shortMessage: 'evaluation-key bundle carries invalid parameters', cause: e })
  }
  if (options.expectParams) {
    const want = checkCkksParameters(options.expectParams, 'expectParams')
    if (JSON.stringify(want) !== JSON.stringify(params)) throw new HeKeyMismatchError({ shortMessage: 'evaluation keys were made for other CKKS parameters', details: `bundle ${JSON.stringify(params)}, expected ${JSON.stringify(want)}` })
  }
  const ctx = await createCkksContext(params)
  if (ctx.paramsId !== header.paramsId) throw new HeKeyMismatchError({ shortMessage: 'evaluation-key bundle fingerprint does not match its parameters' })
  const steps = header.galoisSteps.map((s) => {
    if (!Number.isSafeInteger(s) || s <= 0 || s >= ctx.slotCount) bad('evaluation-key bundle has an invalid Galois step', String(s))
    return s
  })
  const missing = (options.requireGaloisSteps ?? []).map((s) => normaliseStep(s, ctx.slotCount)).filter((s) => s !== 0 && !steps.includes(s))
  if (missing.length) throw new HeKeyMismatchError({ shortMessage: 'evaluation-key bundle lacks Galois keys for needed rotations', details: `missing steps ${missing.join(', ')}` })
  if (options.requireRelin && !sections.has('relin')) throw new HeKeyMismatchError({ shortMessage: 'evaluation-key bundle lacks relinearisation keys' })
  if (!sections.has('public')) bad('evaluation-key bundle lacks the public key')
  if (steps.length > 0 !== sections.has('galois')) bad('evaluation-key bundle Galois section does not match its step list')
  const { seal } = ctx
  const load = <T extends { loadArray(c: typeof ctx.context, b: Uint8Array): void; delete(): void }>(obj: T, name: string): T => {
    const data = sections.get(name)!
    try {
      checkSealBytes(data, `bundle ${name} key`)
      sealCall(`load the ${name} key`, () => obj.loadArray(ctx.context, data))
      return obj
    } catch (e) {
      obj.delete()
      throw new HeSerializationError({ shortMessage: `evaluation-key bundle ${name} key does not load under its parameters`, cause: e })
    }
  }
  const publicKey = load(seal.PublicKey(), 'public')
  let relinKeys: RelinKeys | undefined
  let galoisKeys: GaloisKeys | undefined
  try {
    if (sections.has('relin')) relinKeys = load(seal.RelinKeys(), 'relin')
    if (sections.has('galois')) {
      galoisKeys = load(seal.GaloisKeys(), 'galois')
      if (galoisKeys.size !== steps.length) bad('evaluation-key bundle Galois key count does not match its step list')
    }
  } catch (e) {
    publicKey.delete()
    relinKeys?.delete()
    galoisKeys?.delete()
    throw e
  }
  return makeEvaluationKeys(ctx, publicKey, relinKeys, galoisKeys, steps, bytes.length, keyIdOf(sections.get('public')!))
}

/**
 * The key id of an evaluation-key bundle: SHA-256 (hex, 32 characters) of its public key section
 * under a domain tag. The client computes it on the bundle it exports, the server on the bundle it
 * loads; inference ciphertexts carry it (see `inference/envelope.ts`).
 */
export function keyIdOf(publicKeyBytes: Uint8Array): string {
  return bytesToHex(fastSha256(concatBytes(utf8ToBytes('krain/ckks-key-id/v1\0'), publicKeyBytes))).slice(0, 32)
}

/**
 * The key id of a serialised evaluation-key bundle (framing and checksum checked; SEAL not touched).
 * @param bundle - bytes or base64 from `CkksClient.exportEvaluationKeys()`
 * @throws {HeSerializationError} when the bundle is malformed
 */
export function evaluationKeyId(bundle: Uint8Array | string): string {
  const { sections } = readBundle(bytesOf(bundle, 'bundle'))
  const pk = sections.get('public')
  if (!pk) bad('evaluation-key bundle lacks the public key')
  return keyIdOf(pk)
}

/** Rotation step normalised to [0, slots). */
export function normaliseStep(step: number, slots: number): number {
  return ((step % slots) + slots) % slots
}
