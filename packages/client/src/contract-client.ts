/**
 * @module client/contract-client
 * The caller's SDK for secret contracts. The contract's source comes from the gateway;
 * the client compiles it itself and checks the content hash, so the plan it makes keys for is the
 * one that was deployed. Keys are made here (the secret key never leaves), the evaluation keys are
 * uploaded once per contract (`POST /v1/he/keys`, as the encrypted-inference flow does), rows are
 * encrypted here, the gateway evaluates on ciphertexts, and the outputs are decrypted here with the
 * plan's range and error-bound check (a value outside it is a typed error, never a silent answer).
 */
import { compileContract, compileForGateway, createContractClient, type CompiledContract, type ContractClient as KeyHolder, type ContractPlan, type PlainValue } from '@krain/contracts-lang'
import type { LocalAccount } from 'viem/accounts'
import { KrainError } from '@krain/core'
import { GatewayHttp } from './http.js'
import type { CallContractResponse, ContractInfo } from './schemas/contracts.js'

/** Parameters of {@link ContractClient}: a gateway URL and wallet, or an existing {@link GatewayHttp}. */
export type ContractClientParameters = { url: string; account: LocalAccount; fetch?: typeof fetch } | { http: GatewayHttp }

/** Parameters of {@link ContractClient.deploy}. */
export type DeployParameters = { source: string; callers?: string[]; rateLimit?: { calls: number; windowSeconds: number } }

/** Result of {@link ContractClient.call}. */
export type CallReturnType = {
  /** One object per input row: every encrypted output's decrypted value. */
  rows: Record<string, PlainValue>[]
  /** Plain outputs (the same for every row). */
  plain: Record<string, PlainValue>
  /** Each encrypted output's error bound from the plan. */
  errorBounds: Record<string, number>
}

type Session = { compiled: CompiledContract; holder: KeyHolder; keyId: string }

/**
 * Deploy and call secret contracts on a gateway.
 * @example
 * ```ts
 * const contracts = new ContractClient({ url: 'http://127.0.0.1:8787', account })
 * const { id } = await contracts.deploy({ source })
 * const { rows } = await contracts.call({ id, rows: [{ x: [0.1, 0.2] }], plain: { w: [1, 2] } })
 * ```
 */
export class ContractClient implements Disposable {
  readonly http: GatewayHttp
  private readonly sessions = new Map<string, Promise<Session>>()

  constructor(p: ContractClientParameters) {
    this.http = 'http' in p ? p.http : new GatewayHttp({ url: p.url, account: p.account, ...(p.fetch ? { fetch: p.fetch } : {}) })
  }

  /**
   * Check and compile a contract locally (no gateway): its plan (scheme, parameters, depth, Galois keys, error bounds).
   * @throws {ContractError} positioned syntax, type, leak, range or depth errors
   */
  compile(source: string): ContractPlan {
    return compileContract(source).plan
  }

  /** Deploy a contract (the gateway compiles and checks it again; the caller becomes its owner). */
  deploy({ source, callers, rateLimit }: DeployParameters): Promise<ContractInfo> {
    return this.http.request('POST', '/v1/contracts', { body: { source, ...(callers ? { callers } : {}), ...(rateLimit ? { rateLimit } : {}) } })
  }

  /** A deployed contract: source, plan, inputs, scheme, hash. */
  get(id: string): Promise<ContractInfo> {
    return this.http.request('GET', `/v1/contracts/${encodeURIComponent(id)}`)
  }

  private session(id: string): Promise<Session> {
    let s = this.sessions.get(id)
    if (!s) {
      s = (async () => {
        const info = await this.get(id)
        const compiled = compileForGateway(info.source)
        if (compiled.hash !== info.hash) throw new KrainError({ code: 'CONTRACT_HASH_MISMATCH', shortMessage: `contract "${id}" compiles here to hash ${compiled.hash}, the gateway states ${info.hash}` })
        const holder = await createContractClient(compiled)
        const { keyId } = await this.http.request<{ keyId: string }>('POST', '/v1/he/keys', { bytes: holder.evaluationKeyBundle() })
        return { compiled, holder, keyId }
      })()
      this.sessions.set(id, s)
      s.catch(() => this.sessions.delete(id))
    }
    return s
  }

  /**
   * Call a contract: encrypt `rows` here, evaluate on the gateway, decrypt here.
   * @param p - contract id, one object per row with every encrypted input, values of the plain inputs
   * @throws {ContractInputError} rows that do not match the contract's inputs (before anything is sent)
   * @throws {ContractOutputBoundError} a decrypted value outside the plan's range ± error bound
   */
  async call({ id, rows, plain }: { id: string; rows: Record<string, PlainValue>[]; plain?: Record<string, PlainValue> }): Promise<CallReturnType> {
    const s = await this.session(id)
    const batches = s.holder.encryptInputs(rows)
    const body = {
      keyId: s.keyId,
      batches: batches.map((b) => ({ count: b.count, inputs: Object.fromEntries(Object.entries(b.inputs).map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')])) })),
      ...(plain ? { plain } : {}),
    }
    const res = await this.http.request<CallContractResponse>('POST', `/v1/contracts/${encodeURIComponent(id)}/call`, { body })
    const out: Record<string, PlainValue>[] = []
    res.batches.forEach((b, i) => out.push(...s.holder.decryptOutputs(b.outputs, batches[i]!.count)))
    return { rows: out, plain: res.batches[0]?.plain ?? {}, errorBounds: Object.fromEntries(s.compiled.plan.outputs.filter((o) => o.enc).map((o) => [o.name, o.errorBound])) }
  }

  /** Free the keys held for every contract called. */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()]
    this.sessions.clear()
    for (const s of await Promise.allSettled(all)) if (s.status === 'fulfilled') s.value.holder.dispose()
  }

  [Symbol.dispose](): void {
    void this.dispose()
  }
}
