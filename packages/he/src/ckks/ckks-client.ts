/**
 * @module ckks/ckks-client
 * The client side of CKKS: it generates the keys, keeps the secret key, exports the evaluation-key
 * bundle for a server, encrypts (symmetric, seeded: half-size ciphertexts) and decrypts.
 * The secret key never leaves this object unless {@link CkksClient.exportSecretKey} is called to
 * persist it on the client.
 */
import { anArray, aFiniteNumber } from '@krain/core'
import type { Decryptor } from 'node-seal/implementation/decryptor.js'
import type { Encryptor } from 'node-seal/implementation/encryptor.js'
import type { KeyGenerator } from 'node-seal/implementation/key-generator.js'
import type { PublicKey } from 'node-seal/implementation/public-key.js'
import type { SecretKey } from 'node-seal/implementation/secret-key.js'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import { HeDisposedError, HeKeyMismatchError, HeSerializationError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import { countSealObjects, withScope } from '../seal/scope.js'
import { bytesOf, checkSealBytes } from '../seal/serialization.js'
import { createCkksContext, encodeAt, type CkksContext } from './ckks-context.js'
import { checkCkksParameters, type CkksParameters } from './ckks-parameters.js'
import { CkksVector, loadCiphertext } from './ckks-vector.js'
import { evaluationKeyId, loadEvaluationKeys, normaliseStep, writeBundle, type EvaluationKeys } from './evaluation-keys.js'
import { nextPow2, tile } from './ops.js'

/** Parameters of {@link createCkksClient}. */
export type CreateCkksClientParameters = {
  /** CKKS parameters (e.g. `plan.params` or `CKKS_PRESETS.n8192`). */
  params: CkksParameters
  /** Rotation steps the server will need (e.g. `plan.galoisSteps`); only these Galois keys are made. */
  galoisSteps?: number[]
  /** Include relinearisation keys (needed for ciphertext × ciphertext products). Default true. */
  relin?: boolean
  /** A secret key saved earlier with {@link CkksClient.exportSecretKey} (bytes or base64). */
  secretKey?: Uint8Array | string
}

/** A CKKS client holding the secret key. Dispose it when done. */
export class CkksClient implements Disposable {
  readonly ctx: CkksContext
  readonly params: CkksParameters
  readonly galoisSteps: readonly number[]
  readonly relin: boolean
  #keygen: KeyGenerator | undefined
  #secret: SecretKey | undefined
  #public: PublicKey | undefined
  #encryptor: Encryptor | undefined
  #decryptor: Decryptor | undefined
  #local: EvaluationKeys | undefined
  #bundle: Uint8Array | undefined
  #keyId: string | undefined

  /** @internal use {@link createCkksClient} */
  constructor(ctx: CkksContext, galoisSteps: number[], relin: boolean, secret?: SecretKey) {
    this.ctx = ctx
    this.params = ctx.params
    this.galoisSteps = galoisSteps
    this.relin = relin
    const { seal, context } = ctx
    this.#keygen = sealCall('create a key generator', () => (secret ? seal.KeyGenerator(context, secret) : seal.KeyGenerator(context)))
    this.#secret = secret ?? this.#keygen.secretKey()
    this.#public = this.#keygen.createPublicKey()
    this.#encryptor = seal.Encryptor(context, this.#public, this.#secret)
    this.#decryptor = seal.Decryptor(context, this.#secret)
    countSealObjects(5)
  }

  #live(): { keygen: KeyGenerator; encryptor: Encryptor; decryptor: Decryptor } {
    if (!this.#keygen || !this.#encryptor || !this.#decryptor) throw new HeDisposedError({ shortMessage: 'CKKS client was disposed' })
    return { keygen: this.#keygen, encryptor: this.#encryptor, decryptor: this.#decryptor }
  }

  /**
   * The evaluation-key bundle for a server: public key, relinearisation keys (if `relin`) and the
   * Galois keys of `galoisSteps` only; seeded and compressed, versioned, with a checksum.
   * Made once per client (later calls return a copy of the same bytes), so its {@link keyId} is stable.
   * @returns the bundle bytes (send as-is or base64)
   */
  exportEvaluationKeys(): Uint8Array {
    this.#live()
    this.#bundle ??= this.#makeBundle()
    return this.#bundle.slice()
  }

  /** The key id of this client's evaluation-key bundle (what its inference ciphertexts carry). */
  get keyId(): string {
    this.#live()
    this.#bundle ??= this.#makeBundle()
    this.#keyId ??= evaluationKeyId(this.#bundle)
    return this.#keyId
  }

  #makeBundle(): Uint8Array {
    const { keygen } = this.#live()
    const { seal } = this.ctx
    const save = (s: { saveArray(c?: unknown): Uint8Array; delete(): void }) => {
      try {
        return s.saveArray(seal.ComprModeType.zstd)
      } finally {
        s.delete()
      }
    }
    const sections: { name: 'public' | 'relin' | 'galois'; data: Uint8Array }[] = [{ name: 'public', data: save(sealCall('create the public key', () => keygen.createPublicKeySerializable())) }]
    if (this.relin) sections.push({ name: 'relin', data: save(sealCall('create relinearisation keys', () => keygen.createRelinKeysSerializable())) })
    if (this.galoisSteps.length) sections.push({ name: 'galois', data: save(sealCall('create Galois keys', () => keygen.createGaloisKeysSerializable(Int32Array.from(this.galoisSteps)))) })
    return writeBundle({ scheme: 'ckks', params: this.params, paramsId: this.ctx.paramsId, galoisSteps: [...this.galoisSteps], relin: this.relin }, sections)
  }

  /** The secret key, serialised, to persist on the client. Never send it anywhere. */
  exportSecretKey(): Uint8Array {
    this.#live()
    return this.#secret!.saveArray(this.ctx.seal.ComprModeType.zstd)
  }

  /**
   * Keys for computing locally on this client's vectors (loaded from its own bundle, cached).
   * They are disposed with the client.
   */
  async evaluationKeys(): Promise<EvaluationKeys> {
    this.#local ??= await loadEvaluationKeys(this.exportEvaluationKeys())
    return this.#local
  }

  /**
   * @internal Encrypt a full slot array at the top level with scale 2^scaleBits; seeded bytes.
   * Uncompressed by default: CKKS coefficients are high-entropy, zstd saves ~13% of a seeded
   * ciphertext but more than doubles the server's load time (decompression).
   */
  encryptSlots(slots: Float64Array, compress = false): Uint8Array {
    const { encryptor } = this.#live()
    return withScope((scope) => {
      const pt = scope.track(encodeAt(this.ctx, slots, this.ctx.topLevel, this.ctx.scale))
      const ser = scope.track(sealCall('encrypt', () => encryptor.encryptSymmetricSerializable(pt)))
      return sealCall('serialise a ciphertext', () => ser.saveArray(compress ? this.ctx.seal.ComprModeType.zstd : this.ctx.seal.ComprModeType.none))
    })
  }

  /** @internal Decrypt a loaded ciphertext to its slots. */
  decryptCiphertext(ct: CipherText): Float64Array {
    const { decryptor } = this.#live()
    return withScope((scope) => {
      const pt = scope.track(this.ctx.seal.PlainText())
      sealCall('decrypt', () => decryptor.decrypt(ct, pt))
      const out = sealCall('decode', () => this.ctx.encoder.decode(pt))
      for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw new HeSerializationError({ shortMessage: 'decryption produced non-finite values', details: 'the ciphertext scale is wrong or the ciphertext was made under another key' })
      return out
    })
  }

  /**
   * Encrypt `values` as a serialised vector (seeded: about half the size of a full ciphertext).
   * @param values - at most N/2 finite numbers
   * @returns SEAL ciphertext bytes
   */
  encryptToBytes(values: number[]): Uint8Array {
    const v = checkValues(values, this.ctx.slotCount)
    return this.encryptSlots(tile(v, nextPow2(v.length), this.ctx.slotCount))
  }

  /**
   * Encrypt `values` as a {@link CkksVector} for local computation (uses {@link evaluationKeys}).
   * @returns the vector (dispose it)
   */
  async encrypt(values: number[]): Promise<CkksVector> {
    const keys = await this.evaluationKeys()
    const v = checkValues(values, this.ctx.slotCount)
    return CkksVector.load(keys, this.encryptToBytes(v), v.length)
  }

  /**
   * Decrypt a vector or serialised vector bytes.
   * @param v - a {@link CkksVector} or ciphertext bytes / base64
   * @param length - number of values to return (default: the vector's length, or all slots for bytes)
   * @returns the approximate values
   * @throws {HeSerializationError} on malformed bytes
   * @throws {HeKeyMismatchError} when the vector belongs to other parameters
   */
  decrypt(v: CkksVector | Uint8Array | string, length?: number): number[] {
    if (v instanceof CkksVector) {
      if (v.keys.ctx !== this.ctx) throw new HeKeyMismatchError({ shortMessage: 'vector was encrypted under other parameters' })
      return Array.from(this.decryptCiphertext(v.ciphertext).subarray(0, length ?? v.length))
    }
    const data = bytesOf(v, 'ciphertext')
    checkSealBytes(data, 'ciphertext')
    const ct = loadCiphertext({ ctx: this.ctx, relinKeys: undefined, galoisKeys: undefined, galoisSteps: new Set() }, data)
    try {
      return Array.from(this.decryptCiphertext(ct).subarray(0, length ?? this.ctx.slotCount))
    } finally {
      ct.delete()
    }
  }

  get disposed(): boolean {
    return this.#keygen === undefined
  }

  /** Free every SEAL object of the client (keys included). Idempotent. */
  dispose(): void {
    if (!this.#keygen) return
    this.#local?.dispose()
    for (const o of [this.#decryptor, this.#encryptor, this.#public, this.#secret, this.#keygen]) o?.delete()
    this.#keygen = this.#secret = this.#public = this.#encryptor = this.#decryptor = this.#local = this.#bundle = undefined
    countSealObjects(-5)
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

function checkValues(values: unknown, slots: number): number[] {
  const v = anArray<number>(values, 'values', 1, slots)
  for (let i = 0; i < v.length; i++) aFiniteNumber(v[i], `values[${i}]`)
  return v
}

/**
 * Create a CKKS client: generate (or restore) a secret key for `params`.
 * @param p - parameters, Galois steps to export, relinearisation keys, optional saved secret key
 * @returns the client (dispose it when done)
 * @throws {HeParametersError} on invalid parameters
 * @throws {HeSerializationError} when `secretKey` does not load under `params`
 * @example
 * ```ts
 * const client = await createCkksClient({ params: CKKS_PRESETS.n8192, galoisSteps: [1, 2, 4] })
 * const bundle = client.exportEvaluationKeys()
 * ```
 */
export async function createCkksClient(p: CreateCkksClientParameters): Promise<CkksClient> {
  const params = checkCkksParameters(p?.params, 'params')
  const ctx = await createCkksContext(params)
  const steps = [...new Set(anArray<number>(p.galoisSteps ?? [], 'galoisSteps', 0, 64).map((s, i) => {
    if (!Number.isSafeInteger(s)) throw new TypeError(`"galoisSteps[${i}]" expected an integer, got ${s}`)
    return normaliseStep(s, ctx.slotCount)
  }))].filter((s) => s !== 0).sort((a, b) => a - b)
  let secret: SecretKey | undefined
  if (p.secretKey !== undefined) {
    const data = bytesOf(p.secretKey, 'secretKey')
    checkSealBytes(data, 'secret key')
    secret = ctx.seal.SecretKey()
    try {
      sealCall('load the secret key', () => secret!.loadArray(ctx.context, data))
    } catch (e) {
      secret.delete()
      throw new HeSerializationError({ shortMessage: 'secret key does not load under these parameters', cause: e })
    }
  }
  return new CkksClient(ctx, steps, p.relin ?? true, secret)
}
