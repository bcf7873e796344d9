/**
 * @module auth/policy
 * Roles and attribute rules. A policy file (JSON) gives each wallet address roles and attributes
 * (which models an agent may call, which MPC sessions a hospital may join); `defaults` applies to
 * any signed-in address not listed. Without a file the development policy applies: every
 * signed-in address may act as agent, model owner, hospital and verifier on anything, and
 * `KRAIN_ADMIN_ADDRESS` is admin.
 */
import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { ConfigError, PolicyDeniedError } from '../errors.js'

/** A role a wallet address may hold. */
export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('model_owner'), Type.Literal('agent'), Type.Literal('hospital'), Type.Literal('verifier')])
/** A role a wallet address may hold. */
export type Role = Static<typeof RoleSchema>

const Grant = Type.Object(
  {
    roles: Type.Array(RoleSchema, { maxItems: 5 }),
    /** Model ids (or `prefix*` / `*`) an agent may call. */
    models: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
    /** MPC session ids (or `prefix*` / `*`) a hospital may join. */
    sessions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
)
/** Roles and attributes granted to an address. */
export type Grant = Static<typeof Grant>

/** The policy file's schema. */
export const PolicyDocumentSchema = Type.Object(
  {
    identities: Type.Optional(Type.Record(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }), Grant, { additionalProperties: false })),
    defaults: Type.Optional(Grant),
  },
  { additionalProperties: false },
)
/** A policy document. */
export type PolicyDocument = Static<typeof PolicyDocumentSchema>

/** Things one may ask to do. */
export type Action = 'he:keys:upload' | 'models:register' | 'models:infer' | 'jobs:create' | 'jobs:read' | 'mpc:create' | 'mpc:join' | 'mpc:read'

/** The resource an action is about, for attribute rules. */
export type Resource = { modelId?: string; modelOwner?: string; sessionId?: string; owner?: string }

/** An authenticated caller. */
export type Identity = { address: `0x${string}`; roles: Role[]; grant: Grant; via: 'session' | 'signature' }

const needs: Record<Action, Role[]> = {
  'he:keys:upload': ['agent'],
  'models:register': ['model_owner'],
  'models:infer': ['agent'],
  'jobs:create': ['agent'],
  'jobs:read': ['agent', 'verifier'],
  'mpc:create': ['hospital'],
  'mpc:join': ['hospital'],
  'mpc:read': ['hospital', 'verifier'],
}

const matches = (patterns: string[] | undefined, id: string): boolean =>
  (patterns ?? []).some((p) => p === '*' || p === id || (p.endsWith('*') && id.startsWith(p.slice(0, -1))))

/** A loaded policy: resolves grants and decides actions. */
export class Policy {
  private readonly identities: Map<string, Grant>
  private readonly defaults: Grant
  constructor(doc: PolicyDocument) {
    this.identities = new Map(Object.entries(doc.identities ?? {}).map(([a, g]) => [a.toLowerCase(), g]))
    this.defaults = doc.defaults ?? { roles: [] }
  }

  /** The grant of `address` (its own entry, else the defaults). */
  grantOf(address: string): Grant {
    return this.identities.get(address.toLowerCase()) ?? this.defaults
  }

  /**
   * Allow or deny `action` on `resource` for `who`.
   * @throws {PolicyDeniedError} (403, code POLICY_DENIED) with the reason
   */
  authorize(who: Identity, action: Action, resource: Resource = {}): void {
    if (who.roles.includes('admin')) return
    const deny = (reason: string): never => {
      throw new PolicyDeniedError({ action, address: who.address, reason })
    }
    const required = needs[action]
    if (!required.some((r) => who.roles.includes(r))) deny(`needs one of the roles ${required.join(', ')}; has ${who.roles.join(', ') || 'none'}`)
    const own = (owner: string | undefined): boolean => owner !== undefined && owner.toLowerCase() === who.address.toLowerCase()
    switch (action) {
      case 'models:infer':
      case 'jobs:create':
        if (resource.modelId !== undefined && !own(resource.modelOwner) && !matches(who.grant.models, resource.modelId)) deny(`model "${resource.modelId}" is not in this identity's allowed models`)
        break
      case 'mpc:join':
        if (resource.sessionId !== undefined && !matches(who.grant.sessions, resource.sessionId)) deny(`session "${resource.sessionId}" is not in this identity's allowed sessions`)
        break
      case 'jobs:read':
        if (!own(resource.owner) && !who.roles.includes('verifier')) deny('only the job owner or a verifier may read it')
        break
      default:
        break
    }
  }
}

/** The development policy: everyone signed in gets every non-admin role on everything. */
export function developmentPolicy(adminAddress?: string): PolicyDocument {
  return {
    defaults: { roles: ['agent', 'model_owner', 'hospital', 'verifier'], models: ['*'], sessions: ['*'] },
    ...(adminAddress ? { identities: { [adminAddress]: { roles: ['admin'] } } } : {}),
  }
}

/**
 * Read and validate a policy file.
 * @throws {ConfigError} when the file is unreadable or does not match the schema
 */
export function loadPolicyFile(path: string): PolicyDocument {
  let doc: unknown
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new ConfigError(`cannot read policy file ${path}`, (e as Error).message)
  }
  if (!Value.Check(PolicyDocumentSchema, doc)) {
    const problems = [...Value.Errors(PolicyDocumentSchema, doc)].slice(0, 5).map((e) => `${e.instancePath || '/'}: ${e.message}`)
    throw new ConfigError(`invalid policy file ${path}`, problems.join('; '))
  }
  return doc
}
