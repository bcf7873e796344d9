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

/**
 * Issue 16: "any member of group G may run model M at most N times per epoch", enforced on
 * anonymous membership proofs (`auth/anonymous.ts`); the group is a `GroupRegistry` group id.
 */
export const AnonymousRuleSchema = Type.Object(
  {
    group: Type.String({ pattern: '^[1-9][0-9]{0,76}$' }),
    models: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 }),
    maxUses: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    epochSeconds: Type.Integer({ minimum: 1, maximum: 366 * 24 * 3600 }),
    actions: Type.Optional(Type.Array(Type.Union([Type.Literal('models:infer'), Type.Literal('jobs:create')]), { minItems: 1, maxItems: 2 })),
  },
  { additionalProperties: false },
)
/** An anonymous-membership rule. */
export type AnonymousRule = Static<typeof AnonymousRuleSchema>

/** Issue 16 ABAC: attributes from EIP-712 credentials signed by `issuers` grant what `rules` say. */
export const CredentialPolicySchema = Type.Object(
  {
    issuers: Type.Array(Type.String({ pattern: '^(did:pkh:eip155:[0-9]{1,20}:)?0x[0-9a-fA-F]{40}$' }), { minItems: 1, maxItems: 100 }),
    rules: Type.Array(
      Type.Object(
        {
          match: Type.Object({ role: Type.Optional(Type.String({ maxLength: 128 })), region: Type.Optional(Type.String({ maxLength: 128 })), organisation: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
          grant: Grant,
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
)
/** The credential section of a policy. */
export type CredentialPolicy = Static<typeof CredentialPolicySchema>

/** The policy file's schema. */
export const PolicyDocumentSchema = Type.Object(
  {
    identities: Type.Optional(Type.Record(Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }), Grant, { additionalProperties: false })),
    defaults: Type.Optional(Grant),
    /** Grants by DID (`did:pkh:eip155:<chain>:<address>`). */
    subjects: Type.Optional(Type.Record(Type.String({ pattern: '^did:pkh:eip155:[0-9]{1,20}:0x[0-9a-fA-F]{40}$' }), Grant, { additionalProperties: false })),
    anonymous: Type.Optional(Type.Array(AnonymousRuleSchema, { maxItems: 1000 })),
    credentials: Type.Optional(CredentialPolicySchema),
  },
  { additionalProperties: false },
)
/** A policy document. */
export type PolicyDocument = Static<typeof PolicyDocumentSchema>

/** Things one may ask to do. */
export type Action = 'he:keys:upload' | 'models:register' | 'models:infer' | 'jobs:create' | 'jobs:read' | 'mpc:create' | 'mpc:join' | 'mpc:read' | 'contracts:deploy' | 'contracts:call'

/** The resource an action is about, for attribute rules. */
export type Resource = { modelId?: string; modelOwner?: string; sessionId?: string; owner?: string; contractId?: string; contractCallers?: string[] }

/** An authenticated caller. `anonymous` callers are members of a group, known only by a scoped nullifier. */
export type Identity = {
  address: `0x${string}`
  roles: Role[]
  grant: Grant
  via: 'session' | 'signature' | 'anonymous'
  /** For `via: 'anonymous'`: the group, the scope and the nullifier, and the actions the rule allows. */
  anonymous?: { groupId: string; scope: string; nullifier: string; actions: Action[] }
  /** Attributes from a verified credential, when one was presented. */
  attributes?: { role: string; region: string; organisation: string; issuer: string }
}

const needs: Record<Action, Role[]> = {
  'he:keys:upload': ['agent'],
  'models:register': ['model_owner'],
  'models:infer': ['agent'],
  'jobs:create': ['agent'],
  'jobs:read': ['agent', 'verifier'],
  'mpc:create': ['hospital'],
  'mpc:join': ['hospital'],
  'mpc:read': ['hospital', 'verifier'],
  'contracts:deploy': ['model_owner'],
  'contracts:call': ['agent'],
}

const matches = (patterns: string[] | undefined, id: string): boolean =>
  (patterns ?? []).some((p) => p === '*' || p === id || (p.endsWith('*') && id.startsWith(p.slice(0, -1))))

/** A loaded policy: resolves grants and decides actions. */
export class Policy {
  private identities!: Map<string, Grant>
  private defaults!: Grant
  private subjects!: Map<string, Grant>
  /** The document in force. */
  document!: PolicyDocument
  constructor(doc: PolicyDocument) {
    this.replace(doc)
  }

  /** Put another document in force (an on-chain policy change); requests already authorised keep their grant. */
  replace(doc: PolicyDocument): void {
    this.identities = new Map(Object.entries(doc.identities ?? {}).map(([a, g]) => [a.toLowerCase(), g]))
    this.defaults = doc.defaults ?? { roles: [] }
    // did:pkh subjects are matched by address on any chain: the gateway serves one chain's wallets.
    this.subjects = new Map(Object.entries(doc.subjects ?? {}).map(([d, g]) => [d.slice(d.lastIndexOf(':') + 1).toLowerCase(), g]))
    this.document = doc
  }

  /** The grant of `address` (its own entry, else its DID's, else the defaults). */
  grantOf(address: string): Grant {
    return this.identities.get(address.toLowerCase()) ?? this.subjects.get(address.toLowerCase()) ?? this.defaults
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
    if (who.anonymous && !who.anonymous.actions.includes(action)) deny(`an anonymous member may only ${who.anonymous.actions.join(', ')}`)
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
      case 'contracts:call':
        // a secret contract's owner names its callers (`*` = every agent)
        if (resource.contractId !== undefined && !own(resource.owner) && !(resource.contractCallers ?? []).some((c) => c === '*' || c.toLowerCase() === who.address.toLowerCase())) deny(`contract "${resource.contractId}" does not list this identity among its callers`)
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
