/**
 * @module plugins/app/auth
 * Resolves the caller on every request (a `preValidation` hook: after the body is parsed, so
 * request signatures can cover it) from a session token (`Authorization: Bearer …`) or a request
 * signature; decorates `fastify.policy`, `fastify.authenticate` (401 without an identity) and
 * `request.authorize(action, resource)` (403 when the policy denies).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { getAddress } from 'viem'
import { developmentPolicy, loadPolicyFile, Policy, type Action, type Identity, type PolicyDocument, type Resource } from '../../auth/policy.js'
import { ReplayGuard, verifyRequestSignature } from '../../auth/request-signature.js'
import { hashToken } from '../../auth/siwe.js'
import { AuthError } from '../../errors.js'

/** How long a verified session token is trusted without asking the store again. */
export const SESSION_CACHE_MS = 5_000
const SESSION_CACHE_SIZE = 10_000

declare module 'fastify' {
  interface FastifyInstance {
    /** Drop a token from this instance's session cache (sign-out). */
    forgetSession: (token: string) => void
    policy: Policy
    authenticate: (req: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    identity: Identity | null
    rawBody: Buffer | string | undefined
    /** The authenticated identity (throws 401 if none). */
    caller(): Identity
    /** Throws 401/403 unless the caller may do `action` on `resource`. */
    authorize(action: Action, resource?: Resource): Identity
  }
}

/** Register identity resolution, the policy and the guards. */
export const authPlugin = fp<{ policy?: PolicyDocument }>(
  async (fastify, opts) => {
    const doc = opts.policy ?? (fastify.config.policyFile ? loadPolicyFile(fastify.config.policyFile) : developmentPolicy(fastify.config.adminAddress))
    const policy = new Policy(doc)
    const replay = new ReplayGuard()
    fastify.decorate('policy', policy)
    fastify.decorateRequest('identity', null)
    fastify.decorateRequest('rawBody', undefined)
    fastify.decorateRequest('caller', function (this: FastifyRequest): Identity {
      if (!this.identity) throw new AuthError('AUTH_REQUIRED', 'sign in first (POST /v1/auth/challenge, then /v1/auth/session) or sign the request')
      return this.identity
    })
    fastify.decorateRequest('authorize', function (this: FastifyRequest, action: Action, resource?: Resource): Identity {
      const who = this.caller()
      policy.authorize(who, action, resource)
      return who
    })
    fastify.decorate('authenticate', async (req: FastifyRequest) => {
      req.caller()
    })

    // Verified session tokens are remembered for a few seconds (bounded), so a busy client costs
    // no store query and no hash per request. Sign-out here forgets at once; a sign-out on another
    // instance is seen within SESSION_CACHE_MS.
    const sessions = new Map<string, { address: `0x${string}`; expiresAt: number; until: number }>()
    fastify.decorate('forgetSession', (token: string) => void sessions.delete(token))

    const identify = (address: `0x${string}`, via: Identity['via']): Identity => {
      const grant = policy.grantOf(address)
      return { address: getAddress(address), roles: grant.roles, grant, via }
    }

    // Expired challenges and sessions are deleted every 10 minutes.
    let purge: NodeJS.Timeout | undefined
    fastify.addHook('onReady', async () => {
      purge = setInterval(() => void fastify.store.purgeExpired(Date.now()).catch((e: unknown) => fastify.log.warn({ err: e }, 'purge failed')), 10 * 60_000)
      purge.unref()
    })
    fastify.addHook('onClose', async () => clearInterval(purge))

    fastify.addHook('preValidation', async (req) => {
      const auth = req.headers.authorization
      if (typeof auth === 'string' && auth.length > 0) {
        const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(auth)
        if (!m) throw new AuthError('AUTH_REQUIRED', 'Authorization must be "Bearer <session token>"')
        const token = m[1]!
        const now = Date.now()
        const hit = sessions.get(token)
        if (hit && hit.until > now && hit.expiresAt > now) {
          req.identity = identify(hit.address, 'session')
          return
        }
        const session = await fastify.store.getSession(hashToken(token), now)
        if (!session) {
          sessions.delete(token)
          throw new AuthError('AUTH_SESSION_EXPIRED', 'session token unknown or expired; sign in again')
        }
        if (sessions.size >= SESSION_CACHE_SIZE) sessions.delete(sessions.keys().next().value!)
        sessions.set(token, { address: session.address as `0x${string}`, expiresAt: session.expiresAt, until: now + SESSION_CACHE_MS })
        req.identity = identify(session.address as `0x${string}`, 'session')
        return
      }
      if (req.headers['x-krain-signature'] !== undefined) {
        const address = await verifyRequestSignature({ headers: req.headers, method: req.method, path: req.url, body: req.rawBody, replay })
        req.identity = identify(address, 'signature')
      }
    })
  },
  { name: 'krain-auth', dependencies: ['krain-env', 'krain-store'] },
)
