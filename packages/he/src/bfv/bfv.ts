/**
 * @module bfv/bfv
 * Exact integer vectors with BFV (Brakerski/Fan–Vercauteren, SEAL's implementation) and batching:
 * N integers modulo a batching prime t per ciphertext (slot i of the first row holds element i).
 * Add, sub, multiply (relinearised), multiply by plaintext and dot product (rotation-and-sum) are
 * exact as long as results stay in (−t/2, t/2) and the noise budget lasts: every operation's result
 * reports its remaining invariant noise budget (bits), and decryption refuses a ciphertext whose
 * budget is exhausted (its decryption would be wrong) with `HE_NOISE_BUDGET_EXHAUSTED`.
 * Coefficient moduli are SEAL's 128-bit defaults (`BFVDefault`).
 */
import { anArray, anIntInRange } from '@krain/core'
import type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js'
import type { CipherText } from 'node-seal/implementation/cipher-text.js'
import type { Context } from 'node-seal/implementation/context.js'
import type { Decryptor } from 'node-seal/implementation/decryptor.js'
import type { Encryptor } from 'node-seal/implementation/encryptor.js'
import type { Evaluator } from 'node-seal/implementation/evaluator.js'
import type { GaloisKeys } from 'node-seal/implementation/galois-keys.js'
import type { KeyGenerator } from 'node-seal/implementation/key-generator.js'
import type { PlainText } from 'node-seal/implementation/plain-text.js'
import type { RelinKeys } from 'node-seal/implementation/relin-keys.js'
import { HeDisposedError, HeKeyMismatchError, HeNoiseBudgetError, HeParametersError } from '../errors.js'
import { sealCall } from '../seal/guard.js'
import { OwnedCiphertext } from '../seal/owned-ciphertext.js'
import { loadSeal, type Seal } from '../seal/load-seal.js'
import { owned, Scope, withScope } from '../seal/scope.js'

/** Parameters of {@link createBfvClient}. */
export type BfvParameters = {
  /** 4096, 8192 or 16384 (default 8192). */
  polyModulusDegree?: number
  /** Bits of the batching plaintext modulus t (default 20; 17..30). */
  plainModulusBits?: number
}

/** A BFV key holder with its evaluator (client side: it can decrypt). Dispose when done. */
export class BfvClient implements Disposable {
  readonly seal: Seal
  readonly polyModulusDegree: number
  /** The plaintext modulus t. */
  readonly plainModulus: bigint
  readonly slotCount: number
  #scope: Scope | undefined = new Scope()
  readonly context: Context
  readonly encoder: BatchEncoder
  readonly evaluator: Evaluator
  #keygen: KeyGenerator
  #encryptor: Encryptor
  #decryptor: Decryptor
  #relin: RelinKeys
  #galois: GaloisKeys

  /** @internal use {@link createBfvClient} */
  constructor(seal: Seal, n: number, tBits: number) {
    this.seal = seal
    this.polyModulusDegree = n
    const s = this.#scope!
    try {
      const parms = s.track(seal.EncryptionParameters(seal.SchemeType.bfv))
      parms.setPolyModulusDegree(n)
      const coeff = s.track(seal.CoeffModulus.BFVDefault(n, seal.SecurityLevel.tc128))
      parms.setCoeffModulus(coeff)
      const t = s.track(sealCall('choose a batching prime', () => seal.PlainModulus.Batching(n, tBits)))
      parms.setPlainModulus(t)
      this.plainModulus = t.value
      this.context = s.track(seal.Context(parms, true, seal.SecurityLevel.tc128))
      if (!this.context.parametersSet()) throw new HeParametersError({ shortMessage: 'SEAL rejected the BFV parameters', details: `N = ${n}, t of ${tBits} bits` })
      this.encoder = s.track(seal.BatchEncoder(this.context))
      this.evaluator = s.track(seal.Evaluator(this.context))
      this.#keygen = s.track(seal.KeyGenerator(this.context))
      const sk = s.track(this.#keygen.secretKey())
      const pk = s.track(this.#keygen.createPublicKey())
      this.#encryptor = s.track(seal.Encryptor(this.context, pk, sk))
      this.#decryptor = s.track(seal.Decryptor(this.context, sk))
      this.#relin = s.track(this.#keygen.createRelinKeys())
      const steps: number[] = []
      for (let k = 1; k < n / 2; k *= 2) steps.push(k)
      this.#galois = s.track(sealCall('create Galois keys', () => this.#keygen.createGaloisKeys(Int32Array.from(steps))))
      this.slotCount = this.encoder.slotCount
    } catch (e) {
      s.dispose()
      throw e
    }
  }

  #live(): void {
    if (!this.#scope) throw new HeDisposedError({ shortMessage: 'BFV client was disposed' })
  }

  #checkValues(values: unknown, name: string): BigInt64Array {
    const v = anArray<number | bigint>(values, name, 1, this.slotCount)
    const half = this.plainModulus / 2n
    const out = new BigInt64Array(this.slotCount)
    v.forEach((x, i) => {
      if (typeof x !== 'bigint' && (typeof x !== 'number' || !Number.isSafeInteger(x))) throw new TypeError(`"${name}[${i}]" expected a safe integer or bigint, got ${String(x)}`)
      const b = BigInt(x)
      if (b <= -half || b >= half) throw new RangeError(`"${name}[${i}]" expected an integer in (−${half}, ${half}), got ${b}`)
      out[i] = b
    })
    return out
  }

  /** Encrypt up to N integers in (−t/2, t/2). */
  encrypt(values: (number | bigint)[]): BfvVector {
    this.#live()
    const data = this.#checkValues(values, 'values')
    return withScope((scope) => {
      const pt = scope.track(this.seal.PlainText())
      sealCall('encode', () => this.encoder.encode(data, pt))
      const ct = this.seal.CipherText()
      sealCall('encrypt', () => this.#encryptor.encrypt(pt, ct))
      return new BfvVector(this, ct, values.length)
    })
  }

  /** Remaining invariant noise budget of a vector, in bits (0 = decryption is no longer correct). */
  noiseBudget(v: BfvVector): number {
    this.#live()
    return sealCall('measure the noise budget', () => this.#decryptor.invariantNoiseBudget(v.ciphertext))
  }

  /**
   * Decrypt to signed integers.
   * @throws {HeNoiseBudgetError} when the noise budget is exhausted
   */
  decrypt(v: BfvVector): bigint[] {
    this.#live()
    if (v.client !== this) throw new HeKeyMismatchError({ shortMessage: 'vector belongs to another BFV key' })
    const budget = this.noiseBudget(v)
    if (budget <= 0) throw new HeNoiseBudgetError({ shortMessage: 'BFV noise budget exhausted: the decryption would be wrong', details: 'use fewer multiplications, a larger N or a smaller plaintext modulus' })
    return withScope((scope) => {
      const pt = scope.track(this.seal.PlainText())
      sealCall('decrypt', () => this.#decryptor.decrypt(v.ciphertext, pt))
      return Array.from(sealCall('decode', () => this.encoder.decodeBigInt(pt, true)).subarray(0, v.length))
    })
  }

  /** @internal */
  get relinKeys(): RelinKeys {
    return this.#relin
  }

  /** @internal */
  get galoisKeys(): GaloisKeys {
    return this.#galois
  }

  /** @internal */
  encodePlain(values: (number | bigint)[], length: number) {
    const data = this.#checkValues(values, 'other')
    if (values.length !== length) throw new RangeError(`"other" expected ${length} values, got ${values.length}`)
    const pt = this.seal.PlainText()
    sealCall('encode', () => this.encoder.encode(data, pt))
    return pt
  }

  /** Free every SEAL object (keys included). Idempotent. */
  dispose(): void {
    this.#scope?.dispose()
    this.#scope = undefined
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/** An encrypted integer vector; every operation returns a new vector (dispose it). */
export class BfvVector extends OwnedCiphertext {
  readonly client: BfvClient
  readonly length: number

  /** @internal */
  constructor(client: BfvClient, ct: CipherText, length: number) {
    super(ct, 'BFV vector')
    this.client = client
    this.length = length
  }

  /** Remaining noise budget in bits. */
  get noiseBudget(): number {
    return this.client.noiseBudget(this)
  }

  #op(name: string, other: BfvVector | (number | bigint)[], f: { cipher: (ev: Evaluator, a: CipherText, b: CipherText, out: CipherText) => void; plain: (ev: Evaluator, a: CipherText, b: PlainText, out: CipherText) => void }, length = this.length): BfvVector {
    const { client } = this
    const out = owned(client.seal.CipherText(), (out) => {
      if (other instanceof BfvVector) {
        if (other.client !== client) throw new HeKeyMismatchError({ shortMessage: 'vectors belong to different BFV keys' })
        if (other.length !== this.length) throw new RangeError(`"other" expected length ${this.length}, got ${other.length}`)
        sealCall(name, () => f.cipher(client.evaluator, this.ciphertext, other.ciphertext, out))
      } else {
        const pt = client.encodePlain(other, this.length)
        try {
          sealCall(name, () => f.plain(client.evaluator, this.ciphertext, pt, out))
        } finally {
          pt.delete()
        }
      }
    })
    return new BfvVector(client, out, length)
  }

  add(other: BfvVector | (number | bigint)[]): BfvVector {
    return this.#op('add', other, { cipher: (ev, a, b, out) => ev.add(a, b, out), plain: (ev, a, b, out) => ev.addPlain(a, b, out) })
  }

  sub(other: BfvVector | (number | bigint)[]): BfvVector {
    return this.#op('subtract', other, { cipher: (ev, a, b, out) => ev.sub(a, b, out), plain: (ev, a, b, out) => ev.subPlain(a, b, out) })
  }

  /** Element-wise product (ciphertext products are relinearised). */
  multiply(other: BfvVector | (number | bigint)[]): BfvVector {
    const relin = this.client.relinKeys
    return this.#op('multiply', other, {
      cipher: (ev, a, b, out) => {
        ev.multiply(a, b, out)
        ev.relinearize(out, relin, out)
      },
      plain: (ev, a, b, out) => ev.multiplyPlain(a, b, out),
    })
  }

  /** Dot product with plaintext integer weights (a vector of length 1). */
  dot(weights: (number | bigint)[]): BfvVector {
    using prod = this.multiply(weights)
    const { client } = this
    const out = owned(prod.ciphertext.clone(), (out) =>
      withScope((scope) => {
        const tmp = scope.track(client.seal.CipherText())
        let p = 1
        while (p < this.length) p *= 2
        for (let s = 1; s < p; s *= 2) {
          sealCall('rotate', () => {
            client.evaluator.rotateRows(out, s, client.galoisKeys, tmp)
            client.evaluator.add(out, tmp, out)
          })
        }
      }),
    )
    return new BfvVector(client, out, 1)
  }
}

/**
 * Create a BFV client (keys, encoder, evaluator) with batching.
 * @param p - ring degree (default 8192) and plaintext modulus bits (default 20)
 * @returns the client; dispose it when done
 * @throws {RangeError} on unsupported sizes
 * @throws {HeParametersError} when SEAL rejects the parameters
 * @example
 * ```ts
 * using bfv = await createBfvClient()
 * using v = bfv.encrypt([1, 2, 3])
 * bfv.decrypt(v.dot([4, 5, 6])) // [32n]
 * ```
 */
export async function createBfvClient(p: BfvParameters = {}): Promise<BfvClient> {
  const n = p.polyModulusDegree ?? 8192
  if (![4096, 8192, 16384].includes(n)) throw new RangeError(`"polyModulusDegree" expected 4096, 8192 or 16384, got ${n}`)
  const bits = anIntInRange(p.plainModulusBits ?? 20, 'plainModulusBits', 17, 30)
  const seal = await loadSeal()
  return new BfvClient(seal, n, bits)
}
