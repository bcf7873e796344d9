/**
 * @module identity/plugin
 * Issue 16 in the gateway: decorates `fastify.anonymous` (anonymous membership requests, see
 * `auth/anonymous.ts`) when `KRAIN_GROUP_REGISTRY_ADDRESS` is set, and `fastify.policyGuard`
 * (serve only the policy `PolicyRegistry` records, see `identity/policy-guard.ts`) when
 * `KRAIN_POLICY_REGISTRY_ADDRESS` + `KRAIN_POLICY_ID` are. Hooks:
 * - `onRequest`: a non-public request is refused with 503 `POLICY_MISMATCH` / `POLICY_UNVERIFIED`
 *   while the policy file and the registry disagree;
 * - `preHandler`: a presented `x-krain-credential` is verified and widens the caller's grant
 *   (`identity/credentials.ts`).
 * Register after the auth and store plugins and before the routes.
 */
import fp from 'fastify-plugin'
import { createPublicClient, http, type Address, type PublicClient } from 'viem'
import { terminateIdentityCurves } from '@krain/identity'
import { createAnonymousVerifier } from '../auth/anonymous.js'
import { isPublicRoute } from '../plugins/app/auth.js'
import { ConfigError } from '../errors.js'
import { applyCredential, CREDENTIAL_HEADER } from './credentials.js'
import { GroupRoots } from './group-roots.js'
import { PolicyGuard } from './policy-guard.js'
import { identitySettingsFromEnv, type IdentitySettings } from './settings.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The on-chain policy check; absent when no policy registry is configured. */
    policyGuard?: PolicyGuard
  }
}

/** Register the identity layer (settings from the environment unless given). */
export const identityPlugin = fp<{ settings?: IdentitySettings }>(
  async (fastify, opts) => {
    const settings = opts.settings ?? identitySettingsFromEnv(process.env, fastify.config.rpcUrl)
    let client: PublicClient | undefined
    const clientOf = (): PublicClient => (client ??= createPublicClient({ transport: http(settings.rpcUrl!, { retryCount: 1, timeout: 10_000 }) }))

    if (settings.groupRegistry) {
      fastify.decorate('anonymous', createAnonymousVerifier({ policy: fastify.policy, store: fastify.store, roots: new GroupRoots(clientOf(), settings.groupRegistry as Address), domain: fastify.config.domain }))
      // The bn128 curve snarkjs builds for verification is kept for the process (built on the
      // first proof, ~100 ms); released here.
      fastify.addHook('onClose', async () => terminateIdentityCurves())
    }

    if (settings.policyRegistry && settings.policyId) {
      if (!fastify.config.policyFile) throw new ConfigError('invalid identity configuration', 'KRAIN_POLICY_REGISTRY_ADDRESS needs KRAIN_POLICY_FILE (the document whose hash the registry records)')
      const guard = new PolicyGuard({ client: clientOf(), registry: settings.policyRegistry as Address, policyId: settings.policyId, file: fastify.config.policyFile, policy: fastify.policy, log: (msg, extra) => fastify.log.info(extra ?? {}, msg) })
      fastify.decorate('policyGuard', guard)
      await guard.refresh()
      let timer: NodeJS.Timeout | undefined
      fastify.addHook('onReady', async () => {
        timer = setInterval(() => void guard.refresh().catch((e: unknown) => fastify.log.warn({ err: e }, 'policy check failed')), settings.pollMs)
        timer.unref()
      })
      fastify.addHook('onClose', async () => clearInterval(timer))
      fastify.addHook('onRequest', async (req) => {
        if (!isPublicRoute(req)) guard.assertServing()
      })
    }

    fastify.addHook('preHandler', async (req) => {
      const header = req.headers[CREDENTIAL_HEADER]
      if (header === undefined || !req.identity) return
      req.identity = await applyCredential(req.identity, String(header), fastify.policy)
    })
  },
  { name: 'krain-identity', dependencies: ['krain-env', 'krain-store', 'krain-auth'] },
)
