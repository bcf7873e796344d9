/**
 * @module paillier/packed-ciphertext
 * A packed Paillier ciphertext: many small signed integers in one plaintext (see `packing.ts`).
 * It is its own type, not a {@link PaillierCiphertext}: the generic `add` / `sum` / `mulPlain`
 * know nothing of slots, so a carry from one slot into the next would decrypt to garbage in every
 * slot. Only a packer makes one (encryption, its own arithmetic with slot-overflow
 * accounting, or loading from JSON with a bound the packer sets), so neither its layout nor its
 * slot bound can be declared by whoever built the object.
 */
import { PaillierPublicKey } from './keys.js'

const MINT: unique symbol = Symbol('packed')

/**
 * A ciphertext of `count` packed values under `publicKey`.
 *
 * @example
 * ```ts
 * const packed = packer.encrypt([1, -2, 3]) // a PaillierPackedCiphertext
 * packer.decryptNumbers(privateKey, packer.add(packed, packed)) // [2, -4, 6]
 * ```
 */
export class PaillierPackedCiphertext {
  readonly publicKey: PaillierPublicKey
  /** The ciphertext c ∈ Z*_{n²} (for transport; use `serializePackedCiphertext`). */
  readonly value: bigint
  /** Number of values packed (slots used). */
  readonly count: number
  /** Slot width w in bits (the layout). */
  readonly slotBits: number
  /** Public bound on |slot value|, tracked by the packer (never taken from outside). */
  readonly slotBound: bigint

  /** @internal made by a packer only */
  constructor(mint: typeof MINT, publicKey: PaillierPublicKey, value: bigint, count: number, slotBits: number, slotBound: bigint) {
    if (mint !== MINT) throw new TypeError('a PaillierPackedCiphertext is made by a packer (createPacker), not constructed directly')
    this.publicKey = publicKey
    this.value = value
    this.count = count
    this.slotBits = slotBits
    this.slotBound = slotBound
    Object.freeze(this)
  }
}

/** @internal The packer's factory (trusted inputs). */
export function mintPacked(publicKey: PaillierPublicKey, value: bigint, count: number, slotBits: number, slotBound: bigint): PaillierPackedCiphertext {
  return new PaillierPackedCiphertext(MINT, publicKey, value, count, slotBits, slotBound)
}

/** A packed ciphertext (the type {@link PaillierPackedCiphertext}). */
export type PackedCiphertext = PaillierPackedCiphertext
