/**
 * @module paillier/packing
 * Many small signed integers in one Paillier plaintext. Slot i holds vᵢ at bit offset i·w as a
 * balanced digit (vᵢ ∈ [−2^(w−1), 2^(w−1))), so X = Σ vᵢ·2^(i·w) is signed and no offsets
 * need tracking: Enc(X)·Enc(Y) adds slot-wise and Enc(X)^k scales every slot by k.
 *
 * A slot is w = valueBits + ⌈log₂(additions + 2)⌉ + scalarBits bits: room for `additions`
 * additions of valueBits-bit values, and scalar products up to `scalarBits` bits. Every packed
 * ciphertext carries a public bound on |slot|; an operation that would pass the declared budget
 * (additions + 1)·2^(valueBits−1)·2^scalarBits (< 2^(w−1)) throws PaillierPackingOverflowError
 * instead of letting a carry corrupt the neighbouring slot.
 */
import { aBigInt, anArray, anIntInRange, anObject } from '@krain/core'
import { HeKeyMismatchError, PaillierPackingOverflowError, HeScaleError, PaillierOverflowError } from '../errors.js'
import { checkCiphertextValue } from './ciphertext.js'
import { decryptRaw } from './decrypt.js'
import { checkEncryptOptions, encryptRaw, type EncryptOptions } from './encrypt.js'
import { PaillierPrivateKey, PaillierPublicKey } from './keys.js'
import { modInverse } from '../bigint/bigint-math.js'
import { powModSquare } from './padic.js'
import { PaillierPackedCiphertext, mintPacked, type PackedCiphertext } from './packed-ciphertext.js'
import { parsePackedJson } from './serialize.js'
import { describeBigint, shortTypeError } from './describe.js'

/** Options of {@link createPacker}. */
export type PackerOptions = {
  /** The key. */
  publicKey: PaillierPublicKey
  /** Width of each signed value: values in [−2^(valueBits−1), 2^(valueBits−1)). Default 32. */
  valueBits?: number
  /** Number of additions the slots must absorb (packed ciphertexts summed = additions + 1). Default 1023. */
  additions?: number
  /** Extra headroom bits for scalar multiplication (a product by k needs ⌈log₂|k|⌉ of them). Default 0. */
  scalarBits?: number
}

export type { PackedCiphertext } from './packed-ciphertext.js'

/** Options of {@link PaillierPacker.deserialize}. */
export type PackedDeserializeOptions = {
  /**
   * The receiver's bound on |slot| of what it expects (e.g. `k · 2^(valueBits − 1)` for a sum of
   * k fresh encryptions), at most `slotLimit`. Default: a fresh encryption's, 2^(valueBits − 1).
   * The bound written in the JSON is never used.
   */
  slotBound?: bigint
}

const abs = (k: bigint): bigint => (k < 0n ? -k : k)

/** Packs, operates on and unpacks many small signed integers per ciphertext (see {@link createPacker}). */
export class PaillierPacker {
  readonly publicKey: PaillierPublicKey
  readonly valueBits: number
  readonly additions: number
  readonly scalarBits: number
  /** Slot width w. */
  readonly slotBits: number
  /** Values per ciphertext. */
  readonly slots: number
  /**
   * Largest |slot| allowed: the declared budget (additions + 1)·2^(valueBits−1)·2^scalarBits,
   * which is below 2^(w−1) − 1, the largest that still unpacks correctly.
   */
  readonly slotLimit: bigint
  readonly #valueMin: bigint
  readonly #valueMax: bigint

  /** @internal use {@link createPacker} */
  constructor(publicKey: PaillierPublicKey, valueBits: number, additions: number, scalarBits: number) {
    this.publicKey = publicKey
    this.valueBits = valueBits
    this.additions = additions
    this.scalarBits = scalarBits
    this.slotBits = valueBits + Math.ceil(Math.log2(additions + 2)) + scalarBits
    // Σ |vᵢ|·2^(i·w) < 2^(slots·w − 1) must stay ≤ (n − 1)/2 ≥ 2^(|n| − 2)
    this.slots = Math.floor((publicKey.bits - 2) / this.slotBits)
    if (this.slots < 1) throw new RangeError(`a ${this.slotBits}-bit slot does not fit in a ${publicKey.bits}-bit key`)
    this.slotLimit = BigInt(additions + 1) << BigInt(valueBits - 1 + scalarBits)
    this.#valueMin = -(1n << BigInt(valueBits - 1))
    this.#valueMax = (1n << BigInt(valueBits - 1)) - 1n
  }

  /**
   * Pack up to `slots` signed integers into one plaintext X = Σ vᵢ·2^(i·w) mod n.
   * @param values - integers (number or bigint) in [−2^(valueBits−1), 2^(valueBits−1))
   * @returns the plaintext in [0, n)
   * @throws TypeError / RangeError on malformed or out-of-range values
   */
  pack(values: readonly (number | bigint)[]): bigint {
    const list = anArray<number | bigint>(values, 'values', 0, this.slots)
    const w = BigInt(this.slotBits)
    let x = 0n
    for (let i = list.length - 1; i >= 0; i--) {
      const raw = list[i]
      let v: bigint
      if (typeof raw === 'number') {
        if (!Number.isSafeInteger(raw)) shortTypeError(`values[${i}]`, 'a safe integer or a bigint', raw)
        v = BigInt(raw)
      } else v = aBigInt(raw, `values[${i}]`)
      if (v < this.#valueMin || v > this.#valueMax) throw new RangeError(`"values[${i}]" expected an integer in [−2^${this.valueBits - 1}, 2^${this.valueBits - 1}), got ${describeBigint(v)}`)
      x = (x << w) + v
    }
    return x < 0n ? x + this.publicKey.n : x
  }

  /**
   * Unpack `count` slots from a plaintext m ∈ [0, n).
   * @param m - the plaintext
   * @param count - number of slots to read
   * @returns the slot values
   * @throws PaillierPackingOverflowError when the plaintext holds more than `count` slots' worth
   */
  unpack(m: bigint, count: number): bigint[] {
    const pk = this.publicKey
    let x = m > pk.maxSigned ? m - pk.n : m
    const w = this.slotBits
    const bw = BigInt(w)
    const half = 1n << BigInt(w - 1)
    const full = 1n << bw
    const out: bigint[] = []
    for (let i = 0; i < count; i++) {
      let d = BigInt.asUintN(w, x)
      if (d >= half) d -= full
      out.push(d)
      x = (x - d) >> bw
    }
    if (x !== 0n) throw new PaillierPackingOverflowError({ shortMessage: 'the packed plaintext does not unpack into the expected slots' })
    return out
  }

  /**
   * Pack and encrypt up to `slots` values into one ciphertext.
   * @param values - integers in [−2^(valueBits−1), 2^(valueBits−1))
   * @param options - encryption options
   * @returns the packed ciphertext
   * @example
   * ```ts
   * const packed = packer.encrypt([1, -2, 3])
   * ```
   */
  encrypt(values: readonly (number | bigint)[], options?: EncryptOptions): PackedCiphertext {
    const x = this.pack(values)
    const opts = checkEncryptOptions(this.publicKey, options)
    return mintPacked(this.publicKey, encryptRaw(this.publicKey, x, opts), values.length, this.slotBits, -this.#valueMin)
  }

  /**
   * Encrypt any number of values as ⌈values.length / slots⌉ packed ciphertexts.
   * @param values - integers in range
   * @param options - encryption options
   * @returns the packed ciphertexts, in order
   */
  encryptMany(values: readonly (number | bigint)[], options?: EncryptOptions): PackedCiphertext[] {
    const list = anArray<number | bigint>(values, 'values')
    const out: PackedCiphertext[] = []
    for (let i = 0; i < list.length; i += this.slots) out.push(this.encrypt(list.slice(i, i + this.slots), options))
    return out
  }

  #check(x: unknown, name: string): PackedCiphertext {
    if (!(x instanceof PaillierPackedCiphertext)) shortTypeError(name, 'a packed ciphertext made by a packer (PaillierPackedCiphertext)', x)
    const p = x
    if (p.publicKey.n !== this.publicKey.n) throw new HeKeyMismatchError({ shortMessage: `${name} is under another key` })
    if (p.slotBits !== this.slotBits) throw new HeScaleError({ shortMessage: `${name} has ${p.slotBits}-bit slots, this packer ${this.slotBits}-bit slots` })
    return p
  }

  #bounded(bound: bigint, what: string): bigint {
    if (bound > this.slotLimit)
      throw new PaillierPackingOverflowError({
        shortMessage: `${what} would exceed the slots' headroom`,
        details: `slot bound ${describeBigint(bound)} > ${describeBigint(this.slotLimit)} = (additions + 1)·2^(valueBits − 1 + scalarBits) (valueBits ${this.valueBits}, additions ${this.additions}, scalarBits ${this.scalarBits})`,
      })
    return bound
  }

  /**
   * Slot-wise sum of two packed ciphertexts.
   * @param a - a packed ciphertext of this packer's layout
   * @param b - another
   * @returns the packed sum (count = the larger count)
   * @throws HeKeyMismatchError, HeScaleError, PaillierPackingOverflowError
   */
  add(a: PackedCiphertext, b: PackedCiphertext): PackedCiphertext {
    this.#check(a, 'a')
    this.#check(b, 'b')
    const slotBound = this.#bounded(a.slotBound + b.slotBound, 'the sum')
    const c = (a.value * b.value) % this.publicKey.nSquared
    return mintPacked(this.publicKey, c, Math.max(a.count, b.count), this.slotBits, slotBound)
  }

  /**
   * Slot-wise sum of many packed ciphertexts.
   * @param items - packed ciphertexts of this layout (at least one)
   * @returns the packed sum
   * @throws as {@link PaillierPacker.add}
   */
  sum(items: readonly PackedCiphertext[]): PackedCiphertext {
    const list = anArray<PackedCiphertext>(items, 'items', 1)
    let acc = this.#check(list[0], 'items[0]')
    for (let i = 1; i < list.length; i++) acc = this.add(acc, this.#check(list[i], `items[${i}]`))
    return acc
  }

  /**
   * Multiply every slot by the plaintext integer k.
   * @param a - a packed ciphertext
   * @param k - the scalar (negative allowed)
   * @returns the packed product
   * @throws PaillierPackingOverflowError when |k|·bound exceeds the headroom
   */
  mulPlain(a: PackedCiphertext, k: bigint | number): PackedCiphertext {
    this.#check(a, 'a')
    let kk: bigint
    if (typeof k === 'number') {
      if (!Number.isSafeInteger(k)) shortTypeError('k', 'a safe integer or a bigint', k)
      kk = BigInt(k)
    } else kk = aBigInt(k, 'k')
    const slotBound = this.#bounded(a.slotBound * abs(kk), 'the product')
    const n2 = this.publicKey.nSquared
    const base = kk < 0n ? modInverse(a.value, n2)! : a.value
    const c = powModSquare(base, abs(kk), this.publicKey.n)
    return mintPacked(this.publicKey, c, a.count, this.slotBits, slotBound)
  }

  /**
   * Decrypt and unpack.
   * @param privateKey - the private key
   * @param packed - a packed ciphertext
   * @returns the `count` slot values as bigints
   * @throws HeKeyMismatchError; PaillierPackingOverflowError when the plaintext does not unpack within its bound
   * @example
   * ```ts
   * packer.decrypt(privateKey, packer.encrypt([1, -2, 3])) // [1n, -2n, 3n]
   * ```
   */
  decrypt(privateKey: PaillierPrivateKey, packed: PackedCiphertext): bigint[] {
    this.#check(packed, 'packed')
    if (!(privateKey instanceof PaillierPrivateKey)) shortTypeError('privateKey', 'a PaillierPrivateKey', privateKey)
    if (privateKey.n !== this.publicKey.n) throw new HeKeyMismatchError({ shortMessage: 'the packed ciphertext was made under another key' })
    const values = this.unpack(decryptRaw(privateKey, packed.value), packed.count)
    for (const v of values) if (abs(v) > packed.slotBound) throw new PaillierOverflowError({ shortMessage: 'a slot lies outside the packed ciphertext\'s declared bound' })
    return values
  }

  /**
   * Load a packed ciphertext of this packer's layout from `serializePackedCiphertext`'s JSON.
   * The slot bound written in the JSON is public metadata anyone can forge (a false small bound
   * would let sums carry across slots unnoticed), so it is never used: the result gets the bound
   * the receiver states, by default a fresh encryption's.
   * @param input - the JSON (text or parsed)
   * @param options - `slotBound`: the receiver's bound for what it expects
   * @returns the packed ciphertext
   * @throws HeSerializationError, HeKeyMismatchError, PaillierInvalidCiphertextError,
   *   HeScaleError (another layout); RangeError when `slotBound` exceeds `slotLimit`
   * @example
   * ```ts
   * const total = packer.sum(uploads.map((json) => packer.deserialize(json)))
   * ```
   */
  deserialize(input: string | object, options?: PackedDeserializeOptions): PackedCiphertext {
    const o = parsePackedJson(input, this.publicKey)
    if (o.slotBits !== this.slotBits) throw new HeScaleError({ shortMessage: `packed has ${o.slotBits}-bit slots, this packer ${this.slotBits}-bit slots` })
    if (o.count > this.slots) throw new HeScaleError({ shortMessage: `packed holds ${o.count} slots, this packer at most ${this.slots}` })
    let slotBound = -this.#valueMin
    if (options?.slotBound !== undefined) {
      slotBound = aBigInt(options.slotBound, 'options.slotBound')
      if (slotBound < 0n || slotBound > this.slotLimit) throw new RangeError(`"options.slotBound" expected a bigint in [0, slotLimit = ${describeBigint(this.slotLimit)}], got ${describeBigint(slotBound)}`)
    }
    return mintPacked(this.publicKey, checkCiphertextValue(this.publicKey, o.c), o.count, this.slotBits, slotBound)
  }

  /**
   * Decrypt and unpack to numbers (every slot must be a safe integer).
   * @param privateKey - the private key
   * @param packed - a packed ciphertext
   * @returns the slot values as numbers
   */
  decryptNumbers(privateKey: PaillierPrivateKey, packed: PackedCiphertext): number[] {
    return this.decrypt(privateKey, packed).map((v) => {
      if (abs(v) > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('a slot value is not a safe integer; use decrypt() for bigints')
      return Number(v)
    })
  }
}

/**
 * Create a packer: many small signed integers per ciphertext, with declared headroom.
 * @param options - `publicKey`, `valueBits` (default 32), `additions` (default 1023), `scalarBits` (default 0)
 * @returns the packer
 * @throws TypeError / RangeError on malformed options or a slot wider than the key
 * @example
 * ```ts
 * const packer = createPacker({ publicKey, valueBits: 32, additions: 1023 })
 * packer.slots // values per ciphertext (71 for a 3072-bit key)
 * ```
 */
export function createPacker(options: PackerOptions): PaillierPacker {
  anObject(options, 'options')
  if (!(options.publicKey instanceof PaillierPublicKey)) shortTypeError('options.publicKey', 'a PaillierPublicKey', options.publicKey)
  const valueBits = anIntInRange(options.valueBits ?? 32, 'options.valueBits', 2, 4096)
  const additions = anIntInRange(options.additions ?? 1023, 'options.additions', 0, 2 ** 40)
  const scalarBits = anIntInRange(options.scalarBits ?? 0, 'options.scalarBits', 0, 4096)
  return new PaillierPacker(options.publicKey, valueBits, additions, scalarBits)
}
