/**
 * @module anonymous-request
 * What binds a membership proof to one HTTP request, shared by the SDK (which proves) and the
 * gateway (which recomputes it and never takes it from the proof): the digest of
 * `(domain, method, path, sha256(body))`, the scope tag `model:<id>:epoch:<n>` whose nullifier the
 * gateway counts, and the header encoding of the proof (base64url of its JSON; no secret in it).
 */
import { aNonNegativeInt, aPositiveInt, aString } from '@krain/core'
import type { MembershipProof } from '../membership/prove.js'

/** The header carrying a membership proof instead of a wallet session. */
export const MEMBERSHIP_PROOF_HEADER = 'x-krain-membership-proof'

/** Longest accepted header value (a proof is about 1.1 kB encoded). */
export const MAX_PROOF_HEADER_LENGTH = 8192

/** Parameters of {@link anonymousRequestDigest}. */
export type AnonymousRequestDigestParameters = {
  /** The gateway's domain (`KRAIN_DOMAIN`): a proof made for one gateway is refused by another. */
  domain: string
  method: string
  /** Path with its query string, exactly as sent. */
  path: string
  /** Lower-case hex sha256 of the body bytes (of the empty string when there is none). */
  bodyHash: string
}

/**
 * The request digest a membership proof binds (its `message`, hashed to a field element by `toField`).
 * @returns the digest string
 * @throws TypeError/RangeError on a malformed argument
 * @example
 * ```ts
 * anonymousRequestDigest({ domain: 'localhost', method: 'POST', path: '/v1/models/m/he/plan', bodyHash })
 * ```
 */
export function anonymousRequestDigest({ domain, method, path, bodyHash }: AnonymousRequestDigestParameters): string {
  aString(domain, 'domain', 253); aString(method, 'method', 16); aString(path, 'path', 8192)
  if (typeof bodyHash !== 'string' || !/^[0-9a-f]{64}$/.test(bodyHash)) throw new TypeError('"bodyHash" expected 64 lower-case hex digits')
  return `krain-anonymous:v1\n${domain}\n${method.toUpperCase()}\n${path}\n${bodyHash}`
}

/**
 * The epoch number of a time.
 * @param nowSeconds - unix seconds
 * @param epochSeconds - epoch length
 */
export function epochOf(nowSeconds: number, epochSeconds: number): number {
  return Math.floor(aNonNegativeInt(nowSeconds, 'nowSeconds') / aPositiveInt(epochSeconds, 'epochSeconds'))
}

/** The scope tag of model `modelId` in epoch `epoch` (one nullifier per member per scope). */
export function anonymousScope(modelId: string, epoch: number): string {
  return `model:${aString(modelId, 'modelId', 200)}:epoch:${aNonNegativeInt(epoch, 'epoch')}`
}

/** Encode a proof for {@link MEMBERSHIP_PROOF_HEADER}. */
export function encodeMembershipProof(proof: MembershipProof): string {
  return Buffer.from(JSON.stringify(proof), 'utf8').toString('base64url')
}

/**
 * Decode a {@link MEMBERSHIP_PROOF_HEADER} value (shape only; the verifier checks the rest).
 * @throws TypeError when it is not base64url JSON of an object or is too long
 */
export function decodeMembershipProof(value: unknown): MembershipProof {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PROOF_HEADER_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw new TypeError(`"${MEMBERSHIP_PROOF_HEADER}" expected base64url JSON of at most ${MAX_PROOF_HEADER_LENGTH} characters`)
  let v: unknown
  try { v = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) } catch { throw new TypeError(`"${MEMBERSHIP_PROOF_HEADER}" is not base64url JSON`) }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`"${MEMBERSHIP_PROOF_HEADER}" expected a proof object`)
  return v as MembershipProof
}
