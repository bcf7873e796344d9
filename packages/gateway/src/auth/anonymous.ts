/**
 * @module auth/anonymous
 * Anonymous, proof-authenticated requests. Instead of a wallet session a request
 * carries a Groth16 membership proof (`x-krain-membership-proof`, made by the client with
 * `@krain/identity`; the identity secret never leaves it) that shows membership of a
 * `GroupRegistry` group, binds THIS request and reveals a nullifier scoped to
 * `(group, model, epoch)`. The gateway, in this order (cheap checks first):
 *
 * 1. finds the policy's `anonymous` rule for the proof's group and the route's model
 *    (403 `ANONYMOUS_NOT_ALLOWED` otherwise);
 * 2. requires the scope tag `model:<id>:epoch:<now / epochSeconds>` (401 `IDENTITY_SCOPE_MISMATCH`);
 * 3. recomputes the request digest from `(KRAIN_DOMAIN, method, path, sha256(body))` and refuses
 *    a proof that binds another (401 `IDENTITY_MESSAGE_MISMATCH`);
 * 4. checks the root against `GroupRegistry`: current, or replaced less than the group's window
 *    ago (401 `IDENTITY_UNKNOWN_ROOT` / `IDENTITY_ROOT_EXPIRED`: revocation);
 * 5. verifies the proof off-chain with the cached verification key (snarkjs; the bn128 curve is
 *    built once and kept for the process) (401 `IDENTITY_BAD_PROOF`);
 * 6. consumes one use of the nullifier in the store (table `identity_nullifiers`, unique per use,
 *    so instances sharing the store cannot both accept the N+1-th) (429 `IDENTITY_NULLIFIER_EXHAUSTED`).
 *
 * The caller then acts as an `agent` limited to the rule's models and actions, under a pseudonymous
 * address derived from (group, scope, nullifier): unlinkable across scopes, like the nullifier.
 */
import type { FastifyRequest } from 'fastify'
import { getAddress, keccak256, toHex } from 'viem'
import { anonymousRequestDigest, anonymousScope, decodeMembershipProof, epochOf, IdentityError, MEMBERSHIP_PROOF_HEADER, toField, verifyMembershipProof, type MembershipProof } from '@krain/identity'
import type { Action, AnonymousRule, Identity, Policy } from './policy.js'
import type { Store } from '../store/types.js'
import type { GroupRoots } from '../identity/group-roots.js'
import { IdentityGatewayError } from '../identity/errors.js'

/** What verifies anonymous requests (decorated as `fastify.anonymous` by the identity plugin). */
export type AnonymousVerifier = { verify(req: FastifyRequest, bodyHash: string): Promise<Identity> }

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifier of anonymous requests; absent when no group registry is configured. */
    anonymous?: AnonymousVerifier
  }
  interface FastifyRequest {
    /** An anonymous request awaiting its body (`bodyHash` set when it was verified on headers). */
    pendingAnonymous: { bodyHash?: string } | null
  }
}

const DEFAULT_ACTIONS: Action[] = ['models:infer', 'jobs:create']
const matches = (patterns: string[], id: string): boolean => patterns.some((p) => p === '*' || p === id || (p.endsWith('*') && id.startsWith(p.slice(0, -1))))

/** True when the request carries a membership proof. */
export const hasMembershipProof = (req: FastifyRequest): boolean => req.headers[MEMBERSHIP_PROOF_HEADER] !== undefined

const verifierOf = (req: FastifyRequest): AnonymousVerifier => {
  const v = req.server.anonymous
  if (!v) throw new IdentityGatewayError('ANONYMOUS_UNAVAILABLE', 'this gateway accepts no anonymous requests (KRAIN_GROUP_REGISTRY_ADDRESS is not set)')
  return v
}

/**
 * `onRequest` step: verify at once when `x-krain-content-sha256` names the body hash (so a large
 * body is read only for a valid proof); otherwise wait for the body, up to `bodyLimit`.
 */
export async function beginAnonymous(req: FastifyRequest, announcedBody: number, bodyLimit: number): Promise<{ bodyHash?: string }> {
  const named = req.headers['x-krain-content-sha256']
  if (typeof named === 'string' && /^[0-9a-f]{64}$/.test(named)) {
    req.identity = await verifierOf(req).verify(req, named)
    return { bodyHash: named }
  }
  verifierOf(req)
  if (announcedBody > bodyLimit) throw new IdentityGatewayError('ANONYMOUS_PROOF_MALFORMED', `an anonymous body above ${bodyLimit} bytes must name its sha256 in x-krain-content-sha256`)
  return {}
}

/** `preValidation` step: the body is read; verify (or check the named hash). */
export async function finishAnonymous(req: FastifyRequest, bodyHash: string): Promise<Identity> {
  const pending = req.pendingAnonymous!
  if (pending.bodyHash !== undefined) {
    if (pending.bodyHash !== bodyHash) throw new IdentityError({ code: 'IDENTITY_MESSAGE_MISMATCH', shortMessage: 'x-krain-content-sha256 does not match the body the proof was checked against' })
    return req.identity!
  }
  return verifierOf(req).verify(req, bodyHash)
}

/** Parameters of {@link createAnonymousVerifier}. */
export type CreateAnonymousVerifierParameters = { policy: Policy; store: Store; roots: GroupRoots; domain: string; now?: () => number }

/** The verifier the identity plugin decorates `fastify.anonymous` with. */
export function createAnonymousVerifier({ policy, store, roots, domain, now = () => Math.floor(Date.now() / 1000) }: CreateAnonymousVerifierParameters): AnonymousVerifier {
  return {
    async verify(req, bodyHash) {
      let proof: MembershipProof
      try {
        proof = decodeMembershipProof(req.headers[MEMBERSHIP_PROOF_HEADER])
        if (typeof proof.groupId !== 'string' || !/^[1-9]\d{0,76}$/.test(proof.groupId) || typeof proof.scopeTag !== 'string') throw new TypeError('"proof.groupId" and "proof.scopeTag" expected')
      } catch (e) {
        throw new IdentityGatewayError('ANONYMOUS_PROOF_MALFORMED', (e as Error).message)
      }
      const modelId = (req.params as { id?: unknown } | undefined)?.id
      if (typeof modelId !== 'string' || !req.routeOptions.url?.startsWith('/v1/models/:id/')) throw new IdentityGatewayError('ANONYMOUS_NOT_ALLOWED', 'anonymous requests may only use a model route (/v1/models/:id/…)')
      const rule: AnonymousRule | undefined = (policy.document.anonymous ?? []).find((r) => r.group === proof.groupId && matches(r.models, modelId))
      if (!rule) throw new IdentityGatewayError('ANONYMOUS_NOT_ALLOWED', `no anonymous rule lets members of group ${proof.groupId} use model "${modelId}"`)
      const t = now()
      const scope = anonymousScope(modelId, epochOf(t, rule.epochSeconds))
      if (proof.scopeTag !== scope) throw new IdentityError({ code: 'IDENTITY_SCOPE_MISMATCH', shortMessage: `the proof's scope must be "${scope}"`, details: `got "${proof.scopeTag.slice(0, 200)}"` })
      const digest = anonymousRequestDigest({ domain, method: req.method, path: req.url, bodyHash })
      if (proof.message !== toField(digest).toString()) throw new IdentityError({ code: 'IDENTITY_MESSAGE_MISMATCH', shortMessage: 'the proof binds another request (method, path or body differ)' })
      let valid: boolean
      try {
        await roots.assertAcceptable(BigInt(proof.groupId), BigInt(proof.merkleRoot))
        valid = await verifyMembershipProof(proof)
      } catch (e) {
        if (e instanceof IdentityError) throw e
        if (e instanceof TypeError || e instanceof SyntaxError || e instanceof RangeError) throw new IdentityGatewayError('ANONYMOUS_PROOF_MALFORMED', (e as Error).message)
        throw e
      }
      if (!valid) throw new IdentityError({ code: 'IDENTITY_BAD_PROOF', shortMessage: 'the membership proof does not verify' })
      const used = await store.consumeNullifier({ groupId: proof.groupId, scope: proof.scope, nullifier: proof.nullifier }, rule.maxUses, Date.now())
      if (used === undefined) throw new IdentityError({ code: 'IDENTITY_NULLIFIER_EXHAUSTED', shortMessage: `this member already used model "${modelId}" ${rule.maxUses} time(s) in this epoch`, details: `scope ${scope}` })
      const address = getAddress(`0x${keccak256(toHex(`krain-anonymous:${proof.groupId}:${proof.scope}:${proof.nullifier}`)).slice(-40)}`)
      const actions = rule.actions ?? DEFAULT_ACTIONS
      return { address, roles: ['agent'], grant: { roles: ['agent'], models: rule.models }, via: 'anonymous', anonymous: { groupId: proof.groupId, scope, nullifier: proof.nullifier, actions } }
    },
  }
}
