/**
 * @module credential
 * Attribute credentials for ABAC: an issuer's EIP-712 signature over
 * `{ issuer, subject DID, role, region, organisation, expiry }`. The gateway trusts the
 * attributes only after {@link verifyCredential} with the issuer named in its policy.
 */
import { getAddress, isAddress, verifyTypedData, type Hex, type LocalAccount } from 'viem'
import { aNonNegativeInt, anObject, aString } from '@krain/core'
import { IdentityError } from '../errors.js'
import { parseDid } from '../did/did.js'

/** The EIP-712 domain of Krain credentials. */
export const CREDENTIAL_DOMAIN = { name: 'Krain Credential', version: '1' } as const

/** The EIP-712 types of a credential. */
export const CREDENTIAL_TYPES = {
  Credential: [
    { name: 'issuer', type: 'address' },
    { name: 'subject', type: 'string' },
    { name: 'role', type: 'string' },
    { name: 'region', type: 'string' },
    { name: 'organisation', type: 'string' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const

/** ABAC attributes. */
export type Attributes = { role: string; region: string; organisation: string }

/** A signed credential. */
export type Credential = {
  issuer: `0x${string}`
  subject: string
  attributes: Attributes
  /** Unix seconds after which the credential is refused. */
  expiry: number
  chainId: number
  signature: Hex
}

/** Parameters of {@link issueCredential}. */
export type IssueCredentialParameters = { issuer: LocalAccount; subject: string; attributes: Attributes; expiry: number; chainId: number }

function message(c: Omit<Credential, 'signature' | 'chainId'>) {
  return { issuer: c.issuer, subject: c.subject, role: c.attributes.role, region: c.attributes.region, organisation: c.attributes.organisation, expiry: BigInt(c.expiry) }
}

function checkAttributes(a: unknown): Attributes {
  const o = anObject(a, 'attributes')
  return { role: aString(o.role, 'attributes.role', 128), region: aString(o.region, 'attributes.region', 128), organisation: aString(o.organisation, 'attributes.organisation', 256) }
}

/**
 * Issue (sign) a credential with the issuer's account.
 * @returns the credential with its EIP-712 signature
 * @throws IdentityError `IDENTITY_BAD_DID` if `subject` is not a DID
 * @example
 * ```ts
 * const cred = await issueCredential({ issuer: privateKeyToAccount(k), subject: didPkh(1, addr), attributes: { role: 'analyst', region: 'eu', organisation: 'acme' }, expiry, chainId: 1 })
 * ```
 */
export async function issueCredential({ issuer, subject, attributes, expiry, chainId }: IssueCredentialParameters): Promise<Credential> {
  parseDid(subject)
  const attrs = checkAttributes(attributes)
  aNonNegativeInt(expiry, 'expiry'); aNonNegativeInt(chainId, 'chainId')
  if (typeof issuer?.signTypedData !== 'function') throw new TypeError('"issuer" expected a viem LocalAccount')
  const body = { issuer: issuer.address, subject, attributes: attrs, expiry }
  const signature = await issuer.signTypedData({ domain: { ...CREDENTIAL_DOMAIN, chainId }, types: CREDENTIAL_TYPES, primaryType: 'Credential', message: message(body) })
  return { ...body, chainId, signature }
}

/** Parameters of {@link verifyCredential}. */
export type VerifyCredentialParameters = {
  credential: Credential
  /** Issuers the policy trusts (addresses). */
  trustedIssuers: readonly string[]
  /** Expected subject DID (the requester), if known. */
  subject?: string
  /** Current time (seconds; default now). */
  now?: number
}

/**
 * Verify a credential: a trusted issuer's valid signature, not expired, for the expected subject.
 * @returns the attributes
 * @throws IdentityError `IDENTITY_UNTRUSTED_ISSUER`, `IDENTITY_BAD_CREDENTIAL`, `IDENTITY_CREDENTIAL_EXPIRED`
 */
export async function verifyCredential({ credential, trustedIssuers, subject, now = Math.floor(Date.now() / 1000) }: VerifyCredentialParameters): Promise<Attributes> {
  anObject(credential, 'credential')
  const c = credential
  const badCred = (why: string): never => { throw new IdentityError({ code: 'IDENTITY_BAD_CREDENTIAL', shortMessage: `credential refused: ${why}` }) }
  if (typeof c.issuer !== 'string' || !isAddress(c.issuer, { strict: false })) badCred('issuer')
  parseDid(c.subject)
  const attrs = checkAttributes(c.attributes)
  if (!Number.isSafeInteger(c.expiry) || c.expiry < 0 || !Number.isSafeInteger(c.chainId) || c.chainId < 0) badCred('expiry/chainId')
  if (typeof c.signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(c.signature)) badCred('signature format')
  const issuer = getAddress(c.issuer)
  if (!trustedIssuers.some((t) => isAddress(t, { strict: false }) && getAddress(t) === issuer)) throw new IdentityError({ code: 'IDENTITY_UNTRUSTED_ISSUER', shortMessage: 'the credential issuer is not trusted by the policy' })
  if (subject !== undefined && subject !== c.subject) badCred('subject')
  let ok = false
  try {
    ok = await verifyTypedData({ address: issuer, domain: { ...CREDENTIAL_DOMAIN, chainId: c.chainId }, types: CREDENTIAL_TYPES, primaryType: 'Credential', message: message({ issuer, subject: c.subject, attributes: attrs, expiry: c.expiry }), signature: c.signature })
  } catch { ok = false }
  if (!ok) badCred('signature')
  if (now >= c.expiry) throw new IdentityError({ code: 'IDENTITY_CREDENTIAL_EXPIRED', shortMessage: 'the credential has expired', details: `expiry ${c.expiry}, now ${now}` })
  return attrs
}
