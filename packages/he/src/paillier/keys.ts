/**
 * @module paillier/keys
 * Paillier keys with g = n + 1 (Damgård–Jurik's simplification; paillier-bigint's "simple
 * variant") and the precomputation each operation needs:
 *
 * - public key: n, n², the DJN base h = (−x² mod n)^n mod n² and, on demand, its fixed-base
 *   table (see `fixed-base.ts`). h is derived from n by hashing (SHA-256 in counter mode to x),
 *   so anyone can recompute it and nobody — not even the key owner — chooses it; keys from
 *   paillier-bigint or python-paillier (which carry only n) get the same h;
 * - private key: p, q, p², q², hp = L_p(g^(p−1) mod p²)⁻¹ mod p, hq likewise, q⁻¹ mod p and
 *   (p²)⁻¹ mod q² for the CRT, and on demand fixed-base tables of h mod p² and mod q² for CRT
 *   encryption (Paillier 1999, §7 "decryption using Chinese-remaindering").
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { PaillierInvalidKeyError } from '../errors.js'
import { bigintToBytes, bytesToBigint } from './bytes.js'
import { FixedBaseTable } from './fixed-base.js'
import { bitLength, gcd, modInverse } from '../bigint/bigint-math.js'
import { powModSquare } from './padic.js'
import { describeBigint, shortTypeError } from './describe.js'
import { isProbablePrime, smallFactor } from './primes.js'

/** Default modulus size: 3072 bits (128-bit security, NIST SP 800-57). */
export const PAILLIER_DEFAULT_BITS = 3072
/** Smallest modulus accepted without the test-only flag. */
export const PAILLIER_MIN_BITS = 2048
/** Largest modulus accepted. */
export const PAILLIER_MAX_BITS = 16384
/** Memory budget of one DJN fixed-base table, which sets its default window. */
export const PAILLIER_TABLE_BUDGET_BYTES = 40_000_000

/**
 * Default window of the DJN fixed-base table for a modulus of `bits` bits: the widest w ≤ 9 whose
 * table (⌈|n|/2 / w⌉ · (2^w − 1) entries of two |n|-bit digits) fits in
 * {@link PAILLIER_TABLE_BUDGET_BYTES}: 9 for 2048-bit keys (≈ 32 MB), 8 for 3072 (≈ 39 MB), 7 for 4096.
 */
export function defaultTableWindow(bits: number): number {
  const alphaBits = Math.ceil(bits / 2)
  const entryBytes = 2 * (Math.ceil(bits / 64) * 8 + 16)
  for (let w = 9; w > 4; w--) if (Math.ceil(alphaBits / w) * ((1 << w) - 1) * entryBytes <= PAILLIER_TABLE_BUDGET_BYTES) return w
  return 4
}

/** Options shared by everything that creates or loads a key. */
export type PaillierKeyOptions = {
  /**
   * Accept a modulus below 2048 bits. For tests only: such keys are breakable.
   * @default false
   */
  unsafeAllowSmallKeyForTests?: boolean
}

function checkSize(bits: number, options: PaillierKeyOptions | undefined, what: string): void {
  if (bits > PAILLIER_MAX_BITS) throw new PaillierInvalidKeyError({ shortMessage: `${what} is ${bits} bits; at most ${PAILLIER_MAX_BITS} are supported` })
  if (bits < PAILLIER_MIN_BITS && options?.unsafeAllowSmallKeyForTests !== true)
    throw new PaillierInvalidKeyError({
      shortMessage: `${what} is ${bits} bits; at least ${PAILLIER_MIN_BITS} are required`,
      details: 'smaller keys are refused unless { unsafeAllowSmallKeyForTests: true } is passed (tests only)',
    })
}

/** ⌊√n⌋ by Newton's method. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2))
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

/** Internal option: n = p·q is being built from its factors, which the private key checks itself. */
const FROM_FACTORS: unique symbol = Symbol('fromFactors')

/** Moduli already checked to be composite (a key is often loaded many times); bounded. */
const checkedModuli = new Set<bigint>()
const CHECKED_MAX = 256

/**
 * Refuse a modulus that cannot be a product of two large distinct primes: a prime n (then
 * φ(n) = n − 1 is public and anyone decrypts), a perfect square (p = q), or, for keys of the
 * accepted sizes, a small factor (the cofactor is then found by one division).
 */
function checkComposite(n: bigint, bits: number, options: PaillierKeyOptions | undefined): void {
  if (checkedModuli.has(n) || (options as { [FROM_FACTORS]?: boolean } | undefined)?.[FROM_FACTORS] === true) return
  const what = `the modulus n (${describeBigint(n)})`
  const f = smallFactor(n)
  if (f !== 0 && bits >= PAILLIER_MIN_BITS && options?.unsafeAllowSmallKeyForTests !== true)
    throw new PaillierInvalidKeyError({ shortMessage: `${what} has the small factor ${f}; a Paillier modulus is a product of two large primes` })
  if (f === 0 && isProbablePrime(n, 0)) throw new PaillierInvalidKeyError({ shortMessage: `${what} is prime; a Paillier modulus is a product of two primes` })
  const r = isqrt(n)
  if (r * r === n) throw new PaillierInvalidKeyError({ shortMessage: `${what} is a perfect square; a Paillier modulus is a product of two distinct primes` })
  rememberComposite(n)
}

function rememberComposite(n: bigint): void {
  if (checkedModuli.size >= CHECKED_MAX) checkedModuli.delete(checkedModuli.values().next().value!)
  checkedModuli.add(n)
}

const H_DOMAIN = new TextEncoder().encode('krain/paillier/djn-h/v1')

/** x ∈ Z_n* derived from n by SHA-256 in counter mode (|n| + 128 bits, reduced mod n). */
function hashToUnit(n: bigint, bits: number): bigint {
  const nBytes = bigintToBytes(n)
  for (let attempt = 0; ; attempt++) {
    const need = Math.ceil((bits + 128) / 8)
    const out = new Uint8Array(Math.ceil(need / 32) * 32)
    for (let i = 0; i * 32 < need; i++) {
      const block = new Uint8Array(H_DOMAIN.length + nBytes.length + 8)
      block.set(H_DOMAIN, 0)
      block.set(nBytes, H_DOMAIN.length)
      const view = new DataView(block.buffer)
      view.setUint32(block.length - 8, attempt)
      view.setUint32(block.length - 4, i)
      out.set(sha256(block), i * 32)
    }
    const x = bytesToBigint(out.subarray(0, need)) % n
    if (x > 1n && gcd(x, n) === 1n) return x
  }
}

/**
 * A Paillier public key (g = n + 1) with its precomputation.
 *
 * @example
 * ```ts
 * const publicKey = new PaillierPublicKey(n) // n of at least 2048 bits
 * ```
 */
export class PaillierPublicKey {
  /** The modulus n = p·q. */
  readonly n: bigint
  /** n². */
  readonly nSquared: bigint
  /** The generator g = n + 1. */
  readonly g: bigint
  /** Bit length of n. */
  readonly bits: number
  /** Largest magnitude of a signed plaintext: ⌊(n − 1) / 2⌋. Signed values live in [−maxSigned, maxSigned]. */
  readonly maxSigned: bigint
  /** Length of the DJN short exponent α: ⌈|n| / 2⌉ bits. */
  readonly alphaBits: number
  #h: bigint | undefined
  #fingerprint: string | undefined
  #tables = new Map<number, FixedBaseTable>()

  /**
   * @param n - the modulus (odd, not a square; at least 2048 bits unless the test-only flag is set)
   * @param options - key options
   * @throws TypeError when `n` is not a bigint
   * @throws PaillierInvalidKeyError (`HE_INVALID_KEY`) when `n` is malformed or of a refused size,
   *   prime (a base-2 strong probable prime), a perfect square, or (at accepted sizes) has a factor
   *   below 2^14
   */
  constructor(n: bigint, options?: PaillierKeyOptions) {
    if (typeof n !== 'bigint') shortTypeError('n', 'a bigint', n)
    const bits = bitLength(n)
    checkSize(bits, options, 'the modulus n')
    if (n < 15n || (n & 1n) === 0n) throw new PaillierInvalidKeyError({ shortMessage: 'the modulus n must be an odd composite' })
    checkComposite(n, bits, options)
    this.n = n
    this.nSquared = n * n
    this.g = n + 1n
    this.bits = bits
    this.maxSigned = (n - 1n) >> 1n
    this.alphaBits = Math.ceil(bits / 2)
  }

  /** The DJN base h = (−x² mod n)^n mod n², x derived from n by hashing. Computed once, on first use. */
  get h(): bigint {
    if (this.#h === undefined) {
      const x = hashToUnit(this.n, this.bits)
      const y = this.n - ((x * x) % this.n)
      this.#h = powModSquare(y, this.n, this.n)
    }
    return this.#h
  }

  /** @internal Set h when the private key computed it faster by CRT. */
  _setH(h: bigint): void {
    this.#h ??= h
  }

  /** @internal y = −x² mod n, the n-th root of h (known to nobody but a function of n). */
  _hRoot(): bigint {
    const x = hashToUnit(this.n, this.bits)
    return this.n - ((x * x) % this.n)
  }

  /** Hex SHA-256 of n (first 16 bytes): names the key in serialised ciphertexts. */
  get fingerprint(): string {
    if (this.#fingerprint === undefined) {
      const d = sha256(bigintToBytes(this.n))
      let hex = ''
      for (const b of d.subarray(0, 16)) hex += (b < 16 ? '0' : '') + b.toString(16)
      this.#fingerprint = hex
    }
    return this.#fingerprint
  }

  /**
   * The fixed-base table of h for DJN encryption, built on first use (about 1 s for 2048-bit keys
   * and 1.5 s for 3072-bit keys on an idle core; several times that on a loaded machine) and kept
   * with the key.
   * @param window - window width in bits (1..12); default {@link defaultTableWindow}
   */
  djnTable(window: number = defaultTableWindow(this.bits)): FixedBaseTable {
    let t = this.#tables.get(window)
    if (!t) {
      t = FixedBaseTable.build(this.h, this.n, this.alphaBits, window)
      this.#tables.set(window, t)
    }
    return t
  }

  /** True when both keys have the same modulus. */
  equals(other: PaillierPublicKey): boolean {
    return other instanceof PaillierPublicKey && other.n === this.n
  }
}

/**
 * A Paillier private key: the factors p, q and the CRT precomputation for decryption and for
 * CRT encryption.
 *
 * @example
 * ```ts
 * const privateKey = new PaillierPrivateKey(p, q) // p, q primes of equal length
 * ```
 */
export class PaillierPrivateKey {
  readonly publicKey: PaillierPublicKey
  readonly p: bigint
  readonly q: bigint
  readonly pSquared: bigint
  readonly qSquared: bigint
  /** hp = L_p(g^(p−1) mod p²)⁻¹ mod p. */
  readonly hp: bigint
  /** hq = L_q(g^(q−1) mod q²)⁻¹ mod q. */
  readonly hq: bigint
  /** p⁻¹ mod q (CRT of plaintexts). */
  readonly pInvQ: bigint
  /** (p²)⁻¹ mod q² (CRT of ciphertexts). */
  readonly pSquaredInvQSquared: bigint
  /** λ = (p − 1)(q − 1), for paillier-bigint and python-paillier interop. */
  readonly phi: bigint
  #crtTables = new Map<number, [FixedBaseTable, FixedBaseTable]>()

  /**
   * @param p - a prime factor of n
   * @param q - the other prime factor
   * @param options - key options
   * @throws TypeError when `p` or `q` is not a bigint
   * @throws PaillierInvalidKeyError (`HE_INVALID_KEY`) when p, q are not distinct primes with gcd(pq, (p−1)(q−1)) = 1, or n has a refused size
   */
  constructor(p: bigint, q: bigint, options?: PaillierKeyOptions & { publicKey?: PaillierPublicKey }) {
    if (typeof p !== 'bigint') shortTypeError('p', 'a bigint', p)
    if (typeof q !== 'bigint') shortTypeError('q', 'a bigint', q)
    if (p === q || p < 3n || q < 3n) throw new PaillierInvalidKeyError({ shortMessage: 'p and q must be distinct odd primes' })
    const n = p * q
    // (from its factors: the primality of p and q, checked below, is cheaper than a test of n)
    const publicKey = options?.publicKey ?? new PaillierPublicKey(n, { ...options, [FROM_FACTORS]: true } as PaillierKeyOptions)
    if (publicKey.n !== n) throw new PaillierInvalidKeyError({ shortMessage: 'p·q does not equal the public modulus n' })
    // base-2 strong probable-prime test: cheap, and catches any accidental composite
    if (!isProbablePrime(p, 0) || !isProbablePrime(q, 0)) throw new PaillierInvalidKeyError({ shortMessage: 'p and q must be primes' })
    const phi = (p - 1n) * (q - 1n)
    if (gcd(n, phi) !== 1n) throw new PaillierInvalidKeyError({ shortMessage: 'gcd(n, (p−1)(q−1)) must be 1' })
    if (!options?.publicKey && smallFactor(p) === 0 && smallFactor(q) === 0) rememberComposite(n)
    else if (!options?.publicKey) checkComposite(n, publicKey.bits, options)
    this.publicKey = publicKey
    this.p = p
    this.q = q
    this.pSquared = p * p
    this.qSquared = q * q
    this.phi = phi
    // g = n + 1: g^(p−1) ≡ 1 + (p−1)n (mod p²), so L_p = (p−1)·q mod p
    this.hp = modInverse(((p - 1n) * q) % p, p)!
    this.hq = modInverse(((q - 1n) * p) % q, q)!
    this.pInvQ = modInverse(p, q)!
    this.pSquaredInvQSquared = modInverse(this.pSquared, this.qSquared)!
  }

  /** The public key's n. */
  get n(): bigint {
    return this.publicKey.n
  }

  /** Compute h for the public key by CRT (≈ 4× faster than the public-key computation). */
  precomputeH(): bigint {
    const pk = this.publicKey
    const y = pk._hRoot()
    const hp = powModSquare(y % this.pSquared, pk.n % (this.p * (this.p - 1n)), this.p)
    const hq = powModSquare(y % this.qSquared, pk.n % (this.q * (this.q - 1n)), this.q)
    let d = ((hq - hp) % this.qSquared) * this.pSquaredInvQSquared % this.qSquared
    if (d < 0n) d += this.qSquared
    const h = hp + this.pSquared * d
    pk._setH(h)
    return pk.h
  }

  /** Fixed-base tables of h mod p² and h mod q² for CRT encryption, built on first use. */
  crtTables(window: number = defaultTableWindow(this.publicKey.bits)): [FixedBaseTable, FixedBaseTable] {
    let t = this.#crtTables.get(window)
    if (!t) {
      const h = this.precomputeH()
      const bits = this.publicKey.alphaBits
      t = [FixedBaseTable.build(h, this.p, bits, window), FixedBaseTable.build(h, this.q, bits, window)]
      this.#crtTables.set(window, t)
    }
    return t
  }
}

/** A public key and its private key. */
export type PaillierKeyPair = { publicKey: PaillierPublicKey; privateKey: PaillierPrivateKey }
