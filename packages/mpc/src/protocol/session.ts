/**
 * @module session
 * Session creation and validation. A session's id is the SHA-256 of its parameters, so every
 * signature and every AEAD that names the session also binds its parameters. A configuration whose
 * aggregate could overflow the share field is refused here, before any share is made.
 */
import { aFiniteNumber, anArray, anIntInRange, anObject, aPositiveInt } from '@krain/core'
import { bytesToHex } from 'viem/utils'
import { MpcError } from '../errors.js'
import { anAddress } from '../crypto/identity.js'
import { messageDigest } from '../crypto/digest.js'
import { MAX_ABS_AGGREGATE, PRIMES } from '../field/field.js'
import { dpNoiseBound } from '../dp/noise.js'
import type { Address, DpConfig, Hex, SessionConfig } from './types.js'

/** Most parties in one session. */
export const MAX_PARTIES = 1024
/** Longest vector in one session. */
export const MAX_LENGTH = 1 << 24
/** Largest encoded per-value bound, bound·scale (so encoding is exact in doubles). */
export const MAX_ENCODED_BOUND = 2 ** 52

/** Parameters of {@link createSession}. */
export type CreateSessionParameters = {
  /** Address of the coordinator (it signs the roster and the contributor set). */
  coordinator: string
  /** Allowed parties, in index order (x = 1, 2, ...). 2..1024 distinct addresses. */
  parties: readonly string[]
  /** Threshold t, 2 ≤ t ≤ n. Default ⌊n/2⌋ + 1 (an honest majority; see the README on why). */
  threshold?: number
  /** Vector length L. */
  length: number
  /** Fixed-point scale (default 2^16). */
  scale?: number
  /** Per-value bound |v| ≤ bound, in real units. */
  bound: number
  /** Minimum |U| for the aggregate to be released (default t). */
  minContributors?: number
  /** Absolute deadlines in ms since the epoch, strictly increasing. */
  deadlines: { join: number; share: number; sum: number }
  /** Optional differential privacy. */
  dp?: DpConfig | null
  /** Session nonce (random by default). */
  nonce?: Hex
  /**
   * Release a sum that could not be cross-checked (exactly t consistent sum-shares), marked
   * `verified: false`, instead of failing with `MPC_RESULT_UNVERIFIED`. Default false. A session
   * whose roster has exactly t members can only produce such sums.
   */
  allowUnverified?: boolean
}

function sessionDigest(c: Omit<SessionConfig, 'sessionId'>): Hex {
  return bytesToHex(
    messageDigest('session', [c.version, c.coordinator, c.parties, c.threshold, c.length, c.scale, c.bound, c.minContributors, [c.deadlines.join, c.deadlines.share, c.deadlines.sum], c.dp ? [c.dp.epsilon, c.dp.l1Sensitivity] : null, c.nonce, c.primes, ...(c.allowUnverified === true ? ['allowUnverified'] : [])]),
  )
}

/** Encoded per-value bound B = ⌈bound · scale⌉. */
export function encodedBound(config: Pick<SessionConfig, 'bound' | 'scale'>): number {
  return Math.ceil(config.bound * config.scale)
}

/** Largest |aggregate| the session can produce, in encoded units (inputs + DP noise). */
export function aggregateBound(config: Pick<SessionConfig, 'bound' | 'scale' | 'parties' | 'dp'>): bigint {
  const n = BigInt(config.parties.length)
  const noise = config.dp ? BigInt(dpNoiseBound(config.dp, config.scale)) : 0n
  return n * (BigInt(encodedBound(config)) + noise)
}

function checkBody(c: Omit<SessionConfig, 'sessionId'>): void {
  const n = c.parties.length
  if (new Set(c.parties).size !== n) throw new RangeError('"parties" expected distinct addresses')
  if (c.parties.includes(c.coordinator)) throw new RangeError('"coordinator" must not also be a party')
  anIntInRange(c.threshold, 'threshold', 2, n)
  anIntInRange(c.length, 'length', 1, MAX_LENGTH)
  aFiniteNumber(c.scale, 'scale')
  if (c.scale <= 0) throw new RangeError(`"scale" expected a positive number, got ${c.scale}`)
  aFiniteNumber(c.bound, 'bound')
  if (c.bound <= 0) throw new RangeError(`"bound" expected a positive number, got ${c.bound}`)
  if (c.bound * c.scale > MAX_ENCODED_BOUND) throw new RangeError(`"bound" · "scale" expected ≤ 2^52, got ${c.bound * c.scale}`)
  anIntInRange(c.minContributors, 'minContributors', 1, n)
  const d = anObject(c.deadlines, 'deadlines')
  const join = aFiniteNumber(d.join, 'deadlines.join')
  const share = aFiniteNumber(d.share, 'deadlines.share')
  const sum = aFiniteNumber(d.sum, 'deadlines.sum')
  if (!(join < share && share < sum)) throw new RangeError('"deadlines" expected join < share < sum')
  if (c.dp !== null) {
    const dp = dpOf(c.dp)
    if (dp.epsilon <= 0) throw new RangeError('"dp.epsilon" expected > 0')
    if (dp.l1Sensitivity <= 0) throw new RangeError('"dp.l1Sensitivity" expected > 0')
  }
  if (c.allowUnverified !== undefined && typeof c.allowUnverified !== 'boolean') throw new TypeError(`"allowUnverified" expected a boolean, got ${typeof c.allowUnverified}`)
  if (c.primes.length !== PRIMES.length || c.primes.some((p, i) => p !== PRIMES[i])) throw new RangeError(`"primes" expected [${PRIMES.join(', ')}]`)
  let worst: bigint
  try {
    worst = aggregateBound(c)
  } catch (e) {
    // a finite noise clamp beyond 2^53 is an overflow of the exact range like any other; a
    // non-finite one (ε = 5e-324, Δ = 1e300) stays the argument error dpNoiseBound raised
    const k = c.dp ? (64 * Math.LN2 * Math.max(1, Math.ceil(c.dp.l1Sensitivity * c.scale))) / c.dp.epsilon : 0
    if (!(e instanceof RangeError) || !Number.isFinite(k)) throw e
    throw new MpcError('MPC_OVERFLOW', { shortMessage: 'the DP noise clamp exceeds 2^53, so the aggregate could overflow the exact range', details: 'raise "dp.epsilon" or lower "dp.l1Sensitivity" or "scale"' })
  }
  if (worst > MAX_ABS_AGGREGATE) {
    throw new MpcError('MPC_OVERFLOW', {
      shortMessage: 'the aggregate could overflow the share field',
      details: `n · (⌈bound·scale⌉ + noise bound) = ${worst} > ${MAX_ABS_AGGREGATE} (≈ 2^61); lower "bound" or "scale"`,
    })
  }
}

/**
 * Create a session configuration (what the coordinator publishes and every party checks).
 *
 * @param params - see {@link CreateSessionParameters}
 * @returns the configuration, with `sessionId` = SHA-256 of its parameters
 * @throws TypeError / RangeError on bad parameters; `MpcError` `MPC_OVERFLOW` when n·bound·scale
 *   (plus the DP noise bound) could exceed the field's signed range ±2^61
 * @example
 * ```ts
 * const config = createSession({ coordinator, parties, threshold: 3, length: 30, bound: 5000, deadlines })
 * ```
 */
export function createSession(params: CreateSessionParameters): SessionConfig {
  anObject(params, 'params')
  const parties = anArray(params.parties, 'parties', 2, MAX_PARTIES).map((p, i) => anAddress(p, `parties[${i}]`))
  const n = parties.length
  const threshold = params.threshold === undefined ? Math.floor(n / 2) + 1 : aPositiveInt(params.threshold, 'threshold')
  const body: Omit<SessionConfig, 'sessionId'> = {
    version: 1,
    coordinator: anAddress(params.coordinator, 'coordinator'),
    parties,
    threshold,
    length: aPositiveInt(params.length, 'length'),
    scale: params.scale === undefined ? 65536 : aFiniteNumber(params.scale, 'scale'),
    bound: aFiniteNumber(params.bound, 'bound'),
    minContributors: params.minContributors === undefined ? threshold : aPositiveInt(params.minContributors, 'minContributors'),
    deadlines: { join: params.deadlines?.join, share: params.deadlines?.share, sum: params.deadlines?.sum } as SessionConfig['deadlines'],
    dp: params.dp ? { epsilon: params.dp.epsilon, l1Sensitivity: params.dp.l1Sensitivity } : null,
    nonce: params.nonce ?? bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
    primes: [...PRIMES],
    // (absent when false, so sessions without the opt-in keep the ids they always had)
    ...(params.allowUnverified === undefined || params.allowUnverified === false ? {} : { allowUnverified: params.allowUnverified }),
  }
  if (typeof body.nonce !== 'string' || !isNonce(body.nonce)) throw new TypeError('"nonce" expected 1..64 bytes of 0x-hex')
  checkBody(body)
  return { ...body, sessionId: sessionDigest(body) }
}

/**
 * Check a configuration received from elsewhere (a party checks what the coordinator sent):
 * its fields, its overflow bound, and that `sessionId` is the digest of its parameters.
 * @returns the configuration, decoded field by field (unknown fields dropped)
 * @throws TypeError / RangeError, `MPC_OVERFLOW`, `MPC_WRONG_SESSION` if the id does not match
 */
export function validateSession(config: unknown): SessionConfig {
  const { version, parties: rawParties, coordinator: rawCoordinator, threshold, length, scale, bound, minContributors, deadlines, dp, nonce, primes, allowUnverified, sessionId } = anObject(config, 'config')
  if (version !== 1) throw new RangeError('"config.version" expected 1')
  const given = anArray(rawParties, 'config.parties', 2, MAX_PARTIES)
  const parties = given.map((p, i) => anAddress(p, `config.parties[${i}]`))
  if (parties.some((p, i) => p !== given[i])) throw new RangeError('"config.parties" expected checksummed addresses')
  const coordinator = anAddress(rawCoordinator, 'config.coordinator')
  if (coordinator !== rawCoordinator) throw new RangeError('"config.coordinator" expected a checksummed address')
  const givenPrimes = anArray(primes, 'config.primes', 1, 8)
  if (givenPrimes.length !== PRIMES.length || givenPrimes.some((p, i) => p !== PRIMES[i])) throw new RangeError(`"primes" expected [${PRIMES.join(', ')}]`)
  if (typeof nonce !== 'string' || !isNonce(nonce)) throw new TypeError('"nonce" expected 1..64 bytes of 0x-hex')
  if (allowUnverified !== undefined && typeof allowUnverified !== 'boolean') throw new TypeError(`"allowUnverified" expected a boolean, got ${typeof allowUnverified}`)
  const d = anObject(deadlines, 'deadlines')
  const body: Omit<SessionConfig, 'sessionId'> = {
    version,
    coordinator,
    parties,
    threshold: aPositiveInt(threshold, 'config.threshold'),
    length: aPositiveInt(length, 'config.length'),
    scale: aFiniteNumber(scale, 'scale'),
    bound: aFiniteNumber(bound, 'bound'),
    minContributors: aPositiveInt(minContributors, 'config.minContributors'),
    deadlines: { join: aFiniteNumber(d.join, 'deadlines.join'), share: aFiniteNumber(d.share, 'deadlines.share'), sum: aFiniteNumber(d.sum, 'deadlines.sum') },
    dp: dp === null ? null : dpOf(dp),
    nonce,
    primes: [...PRIMES],
    ...(allowUnverified === undefined ? {} : { allowUnverified }),
  }
  checkBody(body)
  const id = sessionDigest(body)
  if (sessionId !== id) throw new MpcError('MPC_WRONG_SESSION', { shortMessage: 'sessionId is not the digest of the session parameters' })
  return { ...body, sessionId: id }
}

const isNonce = (v: string): v is Hex => /^0x[0-9a-fA-F]{2,128}$/.test(v)

function dpOf(v: unknown): DpConfig {
  const dp = anObject(v, 'dp')
  return { epsilon: aFiniteNumber(dp.epsilon, 'dp.epsilon'), l1Sensitivity: aFiniteNumber(dp.l1Sensitivity, 'dp.l1Sensitivity') }
}

/** Index (1-based evaluation point) of a party, or 0 if it is not one. */
export function partyIndex(config: SessionConfig, address: Address): number {
  return config.parties.indexOf(address) + 1
}

/** `[address, x]` for a list of parties. */
export function pointsOf(config: SessionConfig, parties: readonly Address[]): number[] {
  return parties.map((a) => partyIndex(config, a))
}

