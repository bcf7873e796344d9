/**
 * @module identity/settings
 * Settings of the issue-16 identity layer, read from the environment and validated with TypeBox
 * (a bad value stops startup with a message naming the variable):
 *
 * - `KRAIN_GROUP_REGISTRY_ADDRESS`: `GroupRegistry` whose groups anonymous requests prove membership of;
 * - `KRAIN_POLICY_REGISTRY_ADDRESS` + `KRAIN_POLICY_ID`: the gateway serves only while the policy
 *   file's hash equals the one recorded for this id (`KRAIN_POLICY_FILE` is then required);
 * - `KRAIN_IDENTITY_RPC_URL`: JSON-RPC to read them (default: `KRAIN_RPC_URL`);
 * - `KRAIN_POLICY_POLL_MS`: how often the registry and the file are checked (default 5000).
 */
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ConfigError } from '../errors.js'

/** Validated identity settings. */
export const IdentitySettingsSchema = Type.Object({
  rpcUrl: Type.Optional(Type.String({ pattern: '^(https?|wss?)://' })),
  groupRegistry: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' })),
  policyRegistry: Type.Optional(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' })),
  policyId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  pollMs: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
})
/** Identity settings. */
export type IdentitySettings = Static<typeof IdentitySettingsSchema>

const vars = { KRAIN_IDENTITY_RPC_URL: 'rpcUrl', KRAIN_GROUP_REGISTRY_ADDRESS: 'groupRegistry', KRAIN_POLICY_REGISTRY_ADDRESS: 'policyRegistry', KRAIN_POLICY_ID: 'policyId', KRAIN_POLICY_POLL_MS: 'pollMs' } as const

/**
 * Read the identity settings.
 * @param env - the environment
 * @param fallbackRpcUrl - the gateway's chain RPC (`KRAIN_RPC_URL`)
 * @throws {ConfigError} naming every invalid variable
 */
export function identitySettingsFromEnv(env: Record<string, string | undefined>, fallbackRpcUrl?: string): IdentitySettings {
  const raw: Record<string, unknown> = { pollMs: 5000 }
  for (const [name, key] of Object.entries(vars)) {
    const v = env[name]
    if (v !== undefined && v !== '') raw[key] = key === 'pollMs' && /^\d+$/.test(v) ? Number(v) : v
  }
  raw.rpcUrl ??= fallbackRpcUrl
  if (!Value.Check(IdentitySettingsSchema, raw)) {
    const byKey = Object.fromEntries(Object.entries(vars).map(([n, k]) => [k, n]))
    throw new ConfigError('invalid identity configuration', [...Value.Errors(IdentitySettingsSchema, raw)].map((e) => `${byKey[e.instancePath.slice(1)] ?? e.instancePath}: ${e.message}`).join('; '))
  }
  const s = raw as IdentitySettings
  if ((s.policyRegistry === undefined) !== (s.policyId === undefined)) throw new ConfigError('invalid identity configuration', 'KRAIN_POLICY_REGISTRY_ADDRESS and KRAIN_POLICY_ID go together')
  if ((s.groupRegistry !== undefined || s.policyRegistry !== undefined) && s.rpcUrl === undefined) throw new ConfigError('invalid identity configuration', 'KRAIN_GROUP_REGISTRY_ADDRESS / KRAIN_POLICY_REGISTRY_ADDRESS need KRAIN_IDENTITY_RPC_URL or KRAIN_RPC_URL')
  return s
}
