/**
 * @module client/anonymous
 * Sign in anonymously: each request carries a Groth16 proof of membership of a
 * `GroupRegistry` group instead of a wallet session. The proof is made HERE, with the member's
 * identity secret, which never leaves this process; the gateway sees only the root, the request
 * digest it binds (domain, method, path, sha256 of the body), the scope `model:<id>:epoch:<n>`
 * and the nullifier of that scope, so it can count uses per epoch without learning who asked.
 * Node only (the prover reads the circuit's wasm and zkey from `@krain/identity`).
 */
import { createHash } from 'node:crypto'
import { createPublicClient, http, type Address, type PublicClient } from 'viem'
import { anonymousRequestDigest, anonymousScope, encodeMembershipProof, epochOf, generateMembershipProof, MEMBERSHIP_PROOF_HEADER, readGroup, type Group, type Identity } from '@krain/identity'
import { KrainHttpError } from './errors.js'

/** Parameters of {@link AnonymousAgent}. */
export type AnonymousAgentParameters = {
  /** Gateway base URL. */
  url: string
  /** The member's identity (`createIdentity`); its secret stays in this process. */
  identity: Identity
  /** The on-chain group id. */
  groupId: bigint
  /** The policy rule's epoch length in seconds (the scope's epoch is `now / epochSeconds`). */
  epochSeconds: number
  /** The gateway's `KRAIN_DOMAIN` (default `localhost`, the gateway's default). */
  domain?: string
  /** The group's tree; else rebuilt from `GroupRegistry`'s events on every request (so a change is seen). */
  group?: Group
  /** Where to read the group when `group` is not given. */
  chain?: { rpcUrl: string; groupRegistry: Address }
  fetch?: typeof fetch
  /** Clock in unix seconds (default: now). */
  now?: () => number
}

/** Requests `/v1/models/:id/…` routes as an anonymous member of a group. */
export class AnonymousAgent {
  readonly #p: AnonymousAgentParameters
  readonly #client: PublicClient | undefined
  constructor(p: AnonymousAgentParameters) {
    if (typeof p.url !== 'string' || !/^https?:\/\//.test(p.url)) throw new TypeError('"url" expected an http(s) URL')
    if (!p.group && !p.chain) throw new TypeError('"group" or "chain" is needed to prove membership')
    this.#p = { ...p, url: p.url.replace(/\/+$/, '') }
    this.#client = p.chain ? createPublicClient({ transport: http(p.chain.rpcUrl) }) : undefined
  }

  /**
   * The proof header for one request (exposed for callers that send it themselves).
   * @returns `{ [x-krain-membership-proof]: … }`
   */
  async proofHeaders({ method, path, body, modelId }: { method: string; path: string; body?: Uint8Array | string; modelId: string }): Promise<Record<string, string>> {
    const group = this.#p.group ?? (await readGroup({ publicClient: this.#client!, registry: this.#p.chain!.groupRegistry, groupId: this.#p.groupId })).group
    const now = this.#p.now?.() ?? Math.floor(Date.now() / 1000)
    const bodyHash = createHash('sha256').update(body ?? '').digest('hex')
    const message = anonymousRequestDigest({ domain: this.#p.domain ?? 'localhost', method, path, bodyHash })
    const proof = await generateMembershipProof({ identity: this.#p.identity, group, groupId: this.#p.groupId, scope: anonymousScope(modelId, epochOf(now, this.#p.epochSeconds)), message })
    return { [MEMBERSHIP_PROOF_HEADER]: encodeMembershipProof(proof) }
  }

  /**
   * Send a JSON request to a model route, authenticated by a fresh membership proof.
   * @param method - HTTP method
   * @param path - e.g. `/v1/models/<id>/he/plan` (the model id is read from it)
   * @param body - JSON body
   * @returns the parsed response
   * @throws KrainHttpError with the gateway's code (`IDENTITY_NULLIFIER_EXHAUSTED` once the epoch's uses are spent)
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const m = /^\/v1\/models\/([^/?]+)\//.exec(path)
    if (!m) throw new TypeError('"path" expected a model route /v1/models/<id>/…')
    const bytes = body === undefined ? undefined : JSON.stringify(body)
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...(await this.proofHeaders({ method, path, body: bytes, modelId: decodeURIComponent(m[1]!) })) }
      if (bytes !== undefined) headers['content-type'] = 'application/json'
      const res = await (this.#p.fetch ?? fetch)(`${this.#p.url}${path}`, { method, headers, body: bytes })
      const text = await res.text()
      const json = text ? (JSON.parse(text) as unknown) : undefined
      if (res.ok) return json as T
      const e = (json ?? {}) as { code?: string; message?: string; details?: string }
      // An epoch that ended while the proof was being made: prove again once for the new epoch
      // (the refused proof consumed nothing).
      if (e.code === 'IDENTITY_SCOPE_MISMATCH' && attempt === 0) continue
      throw new KrainHttpError({ status: res.status, code: e.code ?? `HTTP_${res.status}`, message: e.message ?? res.statusText, details: e.details })
    }
  }
}
