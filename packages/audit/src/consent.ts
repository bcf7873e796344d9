/**
 * @module consent
 * A party's signed consent to a computation (EIP-712 typed data, so a wallet shows the fields
 * before signing): session, purpose, computation, the parties, an expiry, and the consenting
 * party. Verifiable offline by anyone with the record.
 */
import { hashTypedData } from 'viem'
import { AuditError } from './errors.js'
import { aPrivateKey, addressOf, recoverTypedSigner, signTypedDigest, toAddress } from './sign.js'
import type { Address, Hex } from './sign.js'

/** What a party consents to. `expiry` is seconds since the epoch. */
export type Consent = { sessionId: string; purpose: string; computation: string; parties: Address[]; expiry: number; party: Address }

/** A consent with its EIP-712 signature by `consent.party`. */
export type SignedConsent = { consent: Consent; signature: Hex }

export const CONSENT_DOMAIN = { name: 'Krain Consent', version: '1' } as const
export const CONSENT_TYPES = {
  Consent: [
    { name: 'sessionId', type: 'string' },
    { name: 'purpose', type: 'string' },
    { name: 'computation', type: 'string' },
    { name: 'parties', type: 'address[]' },
    { name: 'expiry', type: 'uint64' },
    { name: 'party', type: 'address' },
  ],
} as const

function checkConsent(c: unknown): Consent {
  if (typeof c !== 'object' || c === null) throw new TypeError('"consent" expected an object')
  const o = c as Record<string, unknown>
  for (const k of ['sessionId', 'purpose', 'computation'] as const) if (typeof o[k] !== 'string' || (o[k] as string).length === 0 || (o[k] as string).length > 1000) throw new RangeError(`"consent.${k}" expected a non-empty string of at most 1000 characters`)
  if (!Array.isArray(o.parties) || o.parties.length === 0 || o.parties.length > 1000) throw new RangeError('"consent.parties" expected 1..1000 addresses')
  if (!Number.isSafeInteger(o.expiry) || (o.expiry as number) <= 0) throw new RangeError('"consent.expiry" expected seconds since the epoch')
  const parties = o.parties.map((p, i) => toAddress(p, `consent.parties[${i}]`))
  const party = toAddress(o.party, 'consent.party')
  if (!parties.includes(party)) throw new RangeError('"consent.party" must be one of "consent.parties"')
  return { sessionId: o.sessionId as string, purpose: o.purpose as string, computation: o.computation as string, parties, expiry: o.expiry as number, party }
}

/** The EIP-712 digest of a consent (what `signTypedData` signs). */
export function consentDigest(consent: Consent): Hex {
  const c = checkConsent(consent)
  return hashTypedData({ domain: CONSENT_DOMAIN, types: CONSENT_TYPES, primaryType: 'Consent', message: { ...c, expiry: BigInt(c.expiry) } })
}

/** Sign a consent with the party's key (a wallet's `signTypedData` gives the same signature). */
export function signConsent({ privateKey, consent }: { privateKey: Hex; consent: Omit<Consent, 'party'> & { party?: Address } }): SignedConsent {
  const key = aPrivateKey(privateKey, 'privateKey')
  const c = checkConsent({ ...consent, party: consent.party ?? addressOf(key) })
  if (c.party !== addressOf(key)) throw new RangeError('"consent.party" is not the address of "privateKey"')
  return { consent: c, signature: signTypedDigest(key, consentDigest(c)) }
}

/** What {@link verifyConsent} returns. */
export type VerifyConsentReturnType = { valid: true } | { valid: false; reason: 'bad-signature' | 'expired' | 'wrong-session' | 'wrong-party' }

/**
 * Verify a signed consent offline: signature by `consent.party`, not expired at `now`, and
 * (optionally) for the expected session and party.
 * @returns `{ valid: false, reason }` for a well-formed consent that does not hold.
 * @throws TypeError/RangeError for a malformed record.
 */
export function verifyConsent(signed: unknown, { now = Math.floor(Date.now() / 1000), sessionId, party }: { now?: number; sessionId?: string; party?: string } = {}): VerifyConsentReturnType {
  if (typeof signed !== 'object' || signed === null) throw new TypeError('"signed" expected { consent, signature }')
  const s = signed as Record<string, unknown>
  const c = checkConsent(s.consent)
  if (recoverTypedSigner(consentDigest(c), s.signature) !== c.party) return { valid: false, reason: 'bad-signature' }
  if (sessionId !== undefined && c.sessionId !== sessionId) return { valid: false, reason: 'wrong-session' }
  if (party !== undefined && toAddress(party, 'party') !== c.party) return { valid: false, reason: 'wrong-party' }
  if (now >= c.expiry) return { valid: false, reason: 'expired' }
  return { valid: true }
}

/** Throw unless the consent holds (the form a gateway route or a party uses). */
export function assertConsent(signed: unknown, options?: Parameters<typeof verifyConsent>[1]): Consent {
  const r = verifyConsent(signed, options)
  if (!r.valid) throw new AuditError(r.reason === 'expired' ? 'AUDIT_CONSENT_EXPIRED' : 'AUDIT_CONSENT_INVALID', { shortMessage: `consent does not hold: ${r.reason}` })
  return (signed as SignedConsent).consent
}
