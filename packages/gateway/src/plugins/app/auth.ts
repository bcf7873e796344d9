/**
 * @module plugins/app/auth
 * Resolves the caller from the headers before the body is read (an `onRequest` hook): a session
 * token (`Authorization: Bearer …`) or a request signature. In that hook, in order:
 *
 * 1. the caller is resolved (a session token; a signature's headers are checked, and verified at
 *    once when `x-krain-content-sha256` names the body hash);
 * 2. the request is counted against its rate-limit bucket (so refused requests count too);
 * 3. an anonymous request to a route that needs an identity is refused (401) — before the body is
 *    read and before any resource lookup, so a 404 never tells an anonymous caller an id exists;
 *    an anonymous request to a public route may not announce a body above `anonymousBodyLimit`.
 *
 * A signature without the body-hash header is verified once the body is parsed (`preValidation`),
 * and only for bodies up to the default `bodyLimit`. Decorates `fastify.policy`,
 * `fastify.authenticate` (401 without an identity) and `request.authorize(action, resource)`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { getAddress } from 'viem'
import { developmentPolicy, loadPolicyFile, Policy, type Action, type Identity, type PolicyDocument, type Resource } from '../../auth/policy.js'
import { bodyHashOf, readSignatureHeaders, verifySignedRequest, type ReplayGuard, type SignatureHeaders } from '../../auth/request-signature.js'
import { hashToken } from '../../auth/siwe.js'
import { beginAnonymous, finishAnonymous, hasMembershipProof } from '../../auth/anonymous.js'
import { AuthError, GatewayError } from '../../errors.js'

/** How long a verified session token is trusted without asking the store again. */
export const SESSION_CACHE_MS = 5_000
const SESSION_CACHE_SIZE = 10_000

/** Routes any caller may use without an identity (`METHOD url-pattern`); `/docs…` is public too. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'GET /healthz',
  'GET /metrics',
  'POST /v1/auth/challenge',
  'POST /v1/auth/session',
  'GET /v1/models',
  'GET /v1/models/',
  'GET /v1/models/:id',
])

/** True when `req` targets a route that answers without an identity. */
export function isPublicRoute(req: FastifyRequest): boolean {
  const url = req.routeOptions.url
  if (url === undefined) return true // no route: the not-found handler answers, reading no body
  if (req.method === 'OPTIONS' || (req.method === 'HEAD' && PUBLIC_ROUTES.has(`GET ${url}`))) return true
  return url === '/docs' || url.startsWith('/docs/') || (req.method === 'GET' && (url === '/ui' || url.startsWith('/ui/'))) || PUBLIC_ROUTES.has(`${req.method} ${url}`)
}

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
    /** Signature headers awaiting the body (verified in `preValidation`). */
    pendingSignature: (SignatureHeaders & { verified: boolean }) | null
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
    const replay: ReplayGuard = { accept: (digest, expiresAt, now) => fastify.store.acceptRequestDigest(digest, expiresAt, now) }
    fastify.decorate('policy', policy)
    fastify.decorateRequest('identity', null)
    fastify.decorateRequest('rawBody', undefined)
    fastify.decorateRequest('pendingSignature', null)
    fastify.decorateRequest('pendingAnonymous', null) // a membership proof instead of a wallet (auth/anonymous.ts)
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
    // instance arrives as the store's `session` announcement (its token hash), or, if that is lost,
    // is seen within SESSION_CACHE_MS.
    const sessions = new Map<string, { address: `0x${string}`; expiresAt: number; until: number; hash: string }>()
    fastify.decorate('forgetSession', (token: string) => void sessions.delete(token))
    let stopHearing: (() => void) | undefined
    fastify.addHook('onReady', async () => {
      stopHearing = await fastify.store
        .subscribe('session', (hash) => {
          for (const [token, s] of sessions) if (hash === '' || s.hash === hash) sessions.delete(token) // '': announcements were lost
        })
        .catch((e: unknown) => (fastify.log.warn({ err: e }, 'sign-outs on other instances will be seen within the session cache time'), undefined))
    })
    fastify.addHook('onClose', async () => stopHearing?.())

    const identify = (address: `0x${string}`, via: Identity['via']): Identity => {
      const grant = policy.grantOf(address)
      return { address: getAddress(address), roles: grant.roles, grant, via }
    }

    // Expired challenges, sessions and request digests are deleted every 10 minutes.
    let purge: NodeJS.Timeout | undefined
    fastify.addHook('onReady', async () => {
      purge = setInterval(() => void fastify.store.purgeExpired(Date.now()).catch((e: unknown) => fastify.log.warn({ err: e }, 'purge failed')), 10 * 60_000)
      purge.unref()
    })
    fastify.addHook('onClose', async () => clearInterval(purge))

    const fromSession = async (auth: string): Promise<Identity> => {
      const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(auth)
      if (!m) throw new AuthError('AUTH_REQUIRED', 'Authorization must be "Bearer <session token>"')
      const token = m[1]!
      const now = Date.now()
      const hit = sessions.get(token)
      if (hit && hit.until > now && hit.expiresAt > now) return identify(hit.address, 'session')
      const hash = hashToken(token)
      const session = await fastify.store.getSession(hash, now)
      if (!session) {
        sessions.delete(token)
        throw new AuthError('AUTH_SESSION_EXPIRED', 'session token unknown or expired; sign in again')
      }
      if (sessions.size >= SESSION_CACHE_SIZE) sessions.delete(sessions.keys().next().value!)
      sessions.set(token, { address: session.address as `0x${string}`, expiresAt: session.expiresAt, until: now + SESSION_CACHE_MS, hash })
      return identify(session.address as `0x${string}`, 'session')
    }

    /** The announced body size: Content-Length, or Infinity for a chunked body, 0 for none. */
    const announcedBody = (req: FastifyRequest): number => {
      const len = req.headers['content-length']
      if (len !== undefined) return /^\d{1,15}$/.test(len) ? Number(len) : Number.POSITIVE_INFINITY
      return req.headers['transfer-encoding'] !== undefined ? Number.POSITIVE_INFINITY : 0
    }

    fastify.addHook('onRequest', async (req, reply) => {
      let failure: unknown
      try {
        const auth = req.headers.authorization
        if (typeof auth === 'string' && auth.length > 0) req.identity = await fromSession(auth)
        else if (req.headers['x-krain-signature'] !== undefined) {
          const signed = readSignatureHeaders(req.headers)
          if (signed.bodyHash !== undefined) {
            req.identity = identify(await verifySignedRequest({ signed, method: req.method, path: req.url, bodyHash: signed.bodyHash, replay }), 'signature')
            req.pendingSignature = { ...signed, verified: true }
          } else if (announcedBody(req) > fastify.config.bodyLimit) {
            throw new AuthError('AUTH_INVALID_SIGNATURE', `a signed body above ${fastify.config.bodyLimit} bytes must name its sha256 in x-krain-content-sha256`)
          } else req.pendingSignature = { ...signed, verified: false }
        } else if (hasMembershipProof(req)) req.pendingAnonymous = await beginAnonymous(req, announcedBody(req), fastify.config.bodyLimit)
      } catch (e) {
        failure = e
      }
      try {
        await fastify.limitRequest(req, reply)
        if (failure) throw failure
        if (req.identity || req.pendingSignature || req.pendingAnonymous) return
        if (!isPublicRoute(req)) throw new AuthError('AUTH_REQUIRED', 'sign in first (POST /v1/auth/challenge, then /v1/auth/session) or sign the request')
        if (announcedBody(req) > fastify.config.anonymousBodyLimit) throw new GatewayError('BODY_TOO_LARGE', { shortMessage: `anonymous request bodies are limited to ${fastify.config.anonymousBodyLimit} bytes` })
      } catch (e) {
        // Refused before its body was read: drop the connection once the answer is out rather
        // than receiving (and discarding) a body nobody will parse.
        if (announcedBody(req) > 0) {
          reply.header('connection', 'close')
          reply.raw.once('finish', () => req.raw.socket?.destroy())
        }
        throw e
      }
    })

    fastify.addHook('preValidation', async (req) => {
      if (req.pendingAnonymous) return void (req.identity = await finishAnonymous(req, bodyHashOf(req.rawBody)))
      const signed = req.pendingSignature
      if (!signed) return
      const bodyHash = bodyHashOf(req.rawBody)
      if (signed.verified) {
        if (signed.bodyHash !== bodyHash) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-content-sha256 does not match the body')
        return
      }
      req.identity = identify(await verifySignedRequest({ signed, method: req.method, path: req.url, bodyHash, replay }), 'signature')
    })
  },
  { name: 'krain-auth', dependencies: ['krain-env', 'krain-store', 'krain-rate-limit'] },
)
