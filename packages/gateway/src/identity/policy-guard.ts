/**
 * @module identity/policy-guard
 * The policy the gateway enforces is the one `PolicyRegistry` records: the file named
 * by `KRAIN_POLICY_FILE` is hashed (`policyHash`: keccak256 of canonical JSON) and compared with
 * `getPolicy(KRAIN_POLICY_ID)`. While they agree the file is in force; when they differ (an edit
 * on disk not published, or a published change not yet on disk) every non-public request is
 * refused with 503 `POLICY_MISMATCH`, and with 503 `POLICY_UNVERIFIED` until the registry has
 * been read once.
 *
 * Change detection is a cheap periodic check (every `KRAIN_POLICY_POLL_MS`, default 5 s): one
 * `eth_call` of `getPolicy` and one `stat` of the file; the file is re-read only when its size or
 * mtime changed. Polling a view was preferred to an event filter: it needs no filter state on the
 * RPC (public RPCs drop filters), survives reorgs and RPC restarts, and costs the same.
 */
import { readFileSync, statSync } from 'node:fs'
import type { Address, Hex, PublicClient } from 'viem'
import { Value } from 'typebox/value'
import { policyHash, policyIdOf, policyRegistryAbi } from '@krain/identity'
import { PolicyDocumentSchema, type Policy, type PolicyDocument } from '../auth/policy.js'
import { IdentityGatewayError } from './errors.js'

/** What the guard last saw. */
export type PolicyGuardState = {
  state: 'unverified' | 'match' | 'mismatch'
  /** Hash of the file (null when unreadable or invalid). */
  fileHash: Hex | null
  chainHash: Hex | null
  chainVersion: number | null
  reason?: string
}

type FileState = { key: string; doc: PolicyDocument | null; hash: Hex | null; error?: string }

/** Parameters of {@link PolicyGuard}. */
export type PolicyGuardParameters = { client: PublicClient; registry: Address; policyId: string; file: string; policy: Policy; log?: (msg: string, extra?: object) => void }

/** Compares the policy file with `PolicyRegistry` and puts the file in force only when they agree. */
export class PolicyGuard {
  readonly #p: PolicyGuardParameters
  readonly #id: Hex
  #file: FileState | undefined
  #status: PolicyGuardState = { state: 'unverified', fileHash: null, chainHash: null, chainVersion: null, reason: 'the registry has not been read yet' }
  #running: Promise<PolicyGuardState> | undefined

  constructor(p: PolicyGuardParameters) {
    this.#p = p
    this.#id = policyIdOf(p.policyId)
  }

  /** The last check's result. */
  get status(): PolicyGuardState { return this.#status }

  /** Throw unless the file in force is the published policy. */
  assertServing(): void {
    const s = this.#status
    if (s.state === 'match') return
    if (s.state === 'unverified') throw new IdentityGatewayError('POLICY_UNVERIFIED', 'the policy has not been checked against PolicyRegistry yet', s.reason)
    throw new IdentityGatewayError('POLICY_MISMATCH', 'the gateway policy differs from the one recorded in PolicyRegistry: not serving until they agree', `file ${s.fileHash ?? '(unreadable)'}, registry ${s.chainHash ?? '(none)'} v${s.chainVersion ?? '?'}${s.reason ? `; ${s.reason}` : ''}`)
  }

  /** Re-read the file if it changed and the registry; update the state (and the policy in force). */
  refresh(): Promise<PolicyGuardState> {
    this.#running ??= this.#check().finally(() => (this.#running = undefined))
    return this.#running
  }

  #readFile(): FileState {
    let key: string
    try {
      const st = statSync(this.#p.file)
      key = `${st.size}:${st.mtimeMs}:${st.ino}`
    } catch (e) {
      return { key: 'missing', doc: null, hash: null, error: `cannot stat ${this.#p.file}: ${(e as Error).message}` }
    }
    if (this.#file?.key === key) return this.#file
    try {
      const doc: unknown = JSON.parse(readFileSync(this.#p.file, 'utf8'))
      if (!Value.Check(PolicyDocumentSchema, doc)) return { key, doc: null, hash: null, error: 'the policy file does not match the schema' }
      return { key, doc, hash: policyHash(doc) }
    } catch (e) {
      return { key, doc: null, hash: null, error: `cannot read ${this.#p.file}: ${(e as Error).message}` }
    }
  }

  async #check(): Promise<PolicyGuardState> {
    const file = (this.#file = this.#readFile())
    let chainHash: Hex, chainVersion: number
    try {
      const [h, v] = await this.#p.client.readContract({ address: this.#p.registry, abi: policyRegistryAbi, functionName: 'getPolicy', args: [this.#id] })
      chainHash = h; chainVersion = Number(v)
    } catch (e) {
      const unknown = String((e as Error).message).includes('PolicyRegistry__UnknownPolicy')
      // An unreachable RPC keeps the last verified state (a brief outage does not stop serving);
      // an unknown policy id is a mismatch.
      if (!unknown) {
        this.#p.log?.('policy registry unreadable; keeping the last state', { err: (e as Error).message.slice(0, 200) })
        return this.#status
      }
      return this.#set({ state: 'mismatch', fileHash: file.hash, chainHash: null, chainVersion: null, reason: `policy id ${this.#p.policyId} is not in the registry` })
    }
    if (!file.doc || !file.hash) return this.#set({ state: 'mismatch', fileHash: null, chainHash, chainVersion, reason: file.error })
    if (file.hash !== chainHash) return this.#set({ state: 'mismatch', fileHash: file.hash, chainHash, chainVersion, reason: 'hashes differ' })
    if (this.#status.state !== 'match' || this.#status.fileHash !== file.hash) this.#p.policy.replace(file.doc)
    return this.#set({ state: 'match', fileHash: file.hash, chainHash, chainVersion })
  }

  #set(s: PolicyGuardState): PolicyGuardState {
    const prev = this.#status
    if (prev.state !== s.state || prev.chainVersion !== s.chainVersion || prev.fileHash !== s.fileHash) this.#p.log?.(`policy ${s.state}`, { fileHash: s.fileHash, chainHash: s.chainHash, version: s.chainVersion, reason: s.reason })
    this.#status = s
    return s
  }
}
