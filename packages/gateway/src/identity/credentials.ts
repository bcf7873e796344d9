/**
 * @module identity/credentials
 * ABAC attributes from EIP-712 credentials: a signed-in caller may present
 * `x-krain-credential` (base64url JSON of a `@krain/identity` credential). It counts only when its
 * issuer is named in the policy's `credentials.issuers`, its signature verifies, it has not
 * expired, and its subject DID is the caller's own `did:pkh`; its attributes then add the grants
 * of every matching `credentials.rules` entry. A forged, foreign, expired or untrusted credential
 * refuses the request (it is never silently ignored); attributes are never read from the request.
 */
import { getAddress } from 'viem'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { IdentityError, parseDid, verifyCredential, type Credential } from '@krain/identity'
import type { Grant, Identity, Policy } from '../auth/policy.js'
import { IdentityGatewayError } from './errors.js'

/** The header carrying a credential. */
export const CREDENTIAL_HEADER = 'x-krain-credential'

/** The shape of a `@krain/identity` credential; its fields and signature are checked by `verifyCredential`. */
const CredentialShape = Type.Object({
  issuer: Type.TemplateLiteral('0x${string}'),
  subject: Type.String(),
  attributes: Type.Object({ role: Type.String(), region: Type.String(), organisation: Type.String() }),
  expiry: Type.Number(),
  chainId: Type.Number(),
  signature: Type.TemplateLiteral('0x${string}'),
})

const union = <T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined => (a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined)

/**
 * Verify a presented credential and return the caller with its grants widened by the policy's rules.
 * @throws IdentityError `IDENTITY_UNTRUSTED_ISSUER`, `IDENTITY_BAD_CREDENTIAL`, `IDENTITY_CREDENTIAL_EXPIRED`
 */
export async function applyCredential(who: Identity, header: string, policy: Policy, now = Math.floor(Date.now() / 1000)): Promise<Identity> {
  if (who.via === 'anonymous') throw new IdentityGatewayError('ANONYMOUS_NOT_ALLOWED', 'an anonymous request cannot present a credential (it would identify the member)')
  let value: unknown
  try {
    if (header.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(header)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))
  } catch {
    throw new IdentityError({ code: 'IDENTITY_BAD_CREDENTIAL', shortMessage: `"${CREDENTIAL_HEADER}" expected base64url JSON of a credential` })
  }
  if (!Value.Check(CredentialShape, value)) {
    const [first] = Value.Errors(CredentialShape, value)
    throw new IdentityError({ code: 'IDENTITY_BAD_CREDENTIAL', shortMessage: `credential refused: ${first?.instancePath || '/'} ${first?.message ?? 'is not a credential'}` })
  }
  const credential: Credential = value
  const section = policy.document.credentials
  const trustedIssuers = (section?.issuers ?? []).map((i) => i.slice(i.lastIndexOf(':') + 1))
  const attrs = await verifyCredential({ credential, trustedIssuers, now })
  const subject = parseDid(credential.subject)
  if (subject.method !== 'pkh' || getAddress(subject.address) !== getAddress(who.address)) throw new IdentityError({ code: 'IDENTITY_BAD_CREDENTIAL', shortMessage: 'the credential was issued to another subject than the caller' })
  let grant: Grant = who.grant
  for (const r of section?.rules ?? []) {
    const m = r.match
    if ((m.role === undefined || m.role === attrs.role) && (m.region === undefined || m.region === attrs.region) && (m.organisation === undefined || m.organisation === attrs.organisation)) {
      grant = { roles: union(grant.roles, r.grant.roles)!, models: union(grant.models, r.grant.models), sessions: union(grant.sessions, r.grant.sessions) }
      if (grant.models === undefined) delete grant.models
      if (grant.sessions === undefined) delete grant.sessions
    }
  }
  return { ...who, roles: grant.roles, grant, attributes: { ...attrs, issuer: getAddress(credential.issuer) } }
}
