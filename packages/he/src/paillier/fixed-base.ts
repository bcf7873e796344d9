/**
 * @module paillier/fixed-base
 * Fixed-base windowed exponentiation (the "fixed-base windowing" of Brickell, Gordon, McCurley
 * and Wilson, in its full-table form): for a base `h` and window `w` we store
 * `h^(d · 2^(w·i)) mod m` for every window `i` and digit `d ∈ [1, 2^w)`. An exponent written in
 * radix `2^w` then costs one modular multiplication per non-zero digit and no squaring. The
 * Damgård–Jurik–Nielsen encryption draws its short exponent α directly as random digits.
 *
 * Every modulus here is a square r² (n² for public encryption, p² and q² for CRT encryption), so
 * entries are stored as r-adic digit pairs t = t0 + t1·r and multiplied as
 * (a0 + a1·r)(t0 + t1·r) ≡ a0·t0 + (a0·t1 + a1·t0)·r (mod r²): three half-size products and two
 * half-size divisions, 10–20 % faster on V8 than a full product reduced mod r² (see padic.ts).
 *
 * Memory: `⌈bits / w⌉ · (2^w − 1)` residues of 2|r| bits. The default window (keys.ts,
 * `defaultTableWindow`) is the widest that fits in 40 MB: w = 9 for a 2048-bit key (114 windows,
 * ≈ 32 MB), w = 8 for a 3072-bit key (192 windows, ≈ 39 MB).
 */

/** A precomputed table of powers of one base modulo a square r². */
export class FixedBaseTable {
  /** Digits per window (2^w − 1 stored powers per window). */
  readonly window: number
  /** Number of windows: exponents below `2^(window · windows)` are supported. */
  readonly windows: number
  /** Exponent bit length the table was built for (α has exactly this many random bits). */
  readonly exponentBits: number
  /** r, with the modulus r². */
  readonly root: bigint
  readonly modulus: bigint
  readonly #lo: bigint[]
  readonly #hi: bigint[]
  readonly #stride: number

  private constructor(root: bigint, window: number, exponentBits: number, lo: bigint[], hi: bigint[]) {
    this.root = root
    this.modulus = root * root
    this.window = window
    this.exponentBits = exponentBits
    this.windows = Math.ceil(exponentBits / window)
    this.#stride = (1 << window) - 1
    this.#lo = lo
    this.#hi = hi
  }

  /**
   * Build the table. Costs `windows · 2^w` modular multiplications.
   * @param base - the fixed base
   * @param root - r, the square root of the modulus r²
   * @param exponentBits - largest exponent length to support
   * @param window - window width in bits (1..12)
   */
  static build(base: bigint, root: bigint, exponentBits: number, window: number): FixedBaseTable {
    const modulus = root * root
    const windows = Math.ceil(exponentBits / window)
    const stride = (1 << window) - 1
    const lo: bigint[] = new Array<bigint>(windows * stride)
    const hi: bigint[] = new Array<bigint>(windows * stride)
    const put = (k: number, t: bigint): void => {
      const q = t / root
      lo[k] = t - q * root
      hi[k] = q
    }
    let g = base % modulus // h^(2^(w·i))
    for (let i = 0; i < windows; i++) {
      let acc = g
      put(i * stride, acc)
      for (let d = 1; d < stride; d++) {
        acc = (acc * g) % modulus
        put(i * stride + d, acc)
      }
      g = (acc * g) % modulus // h^(2^w · 2^(w·i))
    }
    return new FixedBaseTable(root, window, exponentBits, lo, hi)
  }

  /** Random digits of an exponent α uniform in [0, 2^exponentBits) (little-endian, radix 2^w). */
  randomDigits(): Uint16Array {
    const digits = new Uint16Array(this.windows)
    const w = this.window
    if (w === 8) {
      const bytes = new Uint8Array(this.windows)
      crypto.getRandomValues(bytes)
      digits.set(bytes)
    } else {
      // little-endian bit string; w ≤ 12 so a digit spans at most 3 bytes
      const bytes = new Uint8Array(Math.ceil((this.windows * w) / 8) + 2)
      crypto.getRandomValues(bytes)
      const mask = (1 << w) - 1
      for (let i = 0; i < this.windows; i++) {
        const o = i * w
        const k = o >> 3
        digits[i] = ((bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16)) >> (o & 7)) & mask
      }
    }
    const extra = this.windows * w - this.exponentBits
    if (extra > 0) digits[this.windows - 1]! &= (1 << (w - extra)) - 1
    return digits
  }

  /** The digits of a non-negative exponent below `2^(window · windows)`. */
  digitsOf(exponent: bigint): Uint16Array {
    const digits = new Uint16Array(this.windows)
    const mask = BigInt((1 << this.window) - 1)
    const w = BigInt(this.window)
    for (let i = 0; i < this.windows && exponent > 0n; i++) {
      digits[i] = Number(exponent & mask)
      exponent >>= w
    }
    return digits
  }

  /** The exponent whose digits are given (inverse of {@link digitsOf}). */
  exponentOf(digits: Uint16Array): bigint {
    let e = 0n
    for (let i = digits.length - 1; i >= 0; i--) e = (e << BigInt(this.window)) | BigInt(digits[i]!)
    return e
  }

  /**
   * `base^(Σ digits[i] · 2^(w·i)) mod r²` as r-adic digits [x0, x1] (x = x0 + x1·r): one
   * multiplication per non-zero digit.
   */
  powDigitsAdic(digits: Uint16Array): [bigint, bigint] {
    const r = this.root
    const lo = this.#lo
    const hi = this.#hi
    const stride = this.#stride
    let a0 = 1n
    let a1 = 0n
    let started = false
    for (let i = 0; i < digits.length; i++) {
      const d = digits[i]!
      if (d === 0) continue
      const k = i * stride + d - 1
      const t0 = lo[k]!
      const t1 = hi[k]!
      if (started) {
        const s = a0 * t0
        const q = s / r
        a1 = (q + a0 * t1 + a1 * t0) % r
        a0 = s - q * r
      } else {
        a0 = t0
        a1 = t1
        started = true
      }
    }
    return [a0, a1]
  }

  /** `base^(Σ digits[i] · 2^(w·i)) mod r²`. */
  powDigits(digits: Uint16Array): bigint {
    const [a0, a1] = this.powDigitsAdic(digits)
    return a0 + a1 * this.root
  }
}
