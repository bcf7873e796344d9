/**
 * @module contracts/contract-service
 * Secret contracts on the gateway: deploy compiles the source (a program that would
 * leak, or does not fit, is refused with its positioned message before anything is stored) and
 * stores source, plan and content hash with the owner and access rules; a call is admitted by the
 * policy (owner or a listed caller) and the contract's rate limit, then runs on ciphertexts in the
 * worker pool under the caller's uploaded evaluation keys. With a chain, the source hash and plan
 * hash are recorded in `ContractRegistry` after the row is stored: if that transaction fails the
 * row keeps `txHash` null (never a half-written record) and {@link recordContractOnChain} retries.
 */
import { randomBytes } from 'node:crypto'
import { compileForGateway, type ContractPlan, type PlainValue } from '@krain/contracts-lang'
import type { ContractInfo } from '@krain/client/schemas/contracts'
import { BadRequestError, GatewayError, NotFoundError } from '../errors.js'
import type { WorkerPool } from '../plugins/app/worker-pool.js'
import { ContractCallersRow, ContractRateLimitRow, decodeJson } from '../store/rows.js'
import type { ContractRecord, Store } from '../store/types.js'
import type { ContractChainRecord, ContractRecorder } from './contract-recorder.js'

/** A contract's rate limit: `calls` per caller per `windowSeconds`. */
export type ContractRateLimit = { calls: number; windowSeconds: number }

/** Parameters of {@link deployContract}. */
export type DeployContractParameters = {
  store: Store
  owner: string
  source: string
  callers?: string[]
  rateLimit?: ContractRateLimit
  now?: number
  /** Records the hash on-chain after storing (null: no chain). */
  recorder?: ContractRecorder | null
  /** Told when the on-chain record failed (the row stays with `txHash` null). */
  onRecordError?: (e: unknown) => void
}

/**
 * Compile and store a contract.
 * @returns the stored record, and its chain record (null without a chain or when the transaction failed)
 * @throws {ContractError} (CONTRACT_SYNTAX, CONTRACT_TYPE, CONTRACT_LEAK, CONTRACT_RANGE, CONTRACT_DEPTH) from the compiler, with line and column; CONTRACT_UNSUPPORTED for an exact-integer (BFV) program (nothing is stored)
 */
export async function deployContract({ store, owner, source, callers = [], rateLimit, now = Date.now(), recorder = null, onRecordError }: DeployContractParameters): Promise<{ contract: ContractRecord; record: ContractChainRecord | null }> {
  const compiled = compileForGateway(source)
  const record: ContractRecord = {
    id: `ct_${randomBytes(12).toString('hex')}`,
    owner,
    source,
    plan: JSON.stringify(compiled.plan),
    hash: compiled.hash,
    scheme: compiled.plan.scheme,
    callers: JSON.stringify([...new Set(callers)]),
    rateLimit: rateLimit ? JSON.stringify(rateLimit) : null,
    txHash: null,
    createdAt: now,
  }
  await store.putContract(record)
  if (!recorder) return { contract: record, record: null }
  try {
    const onChain = await recordContractOnChain(store, recorder, record)
    return { contract: { ...record, txHash: onChain.txHash }, record: onChain }
  } catch (e) {
    onRecordError?.(e)
    return { contract: record, record: null }
  }
}

/**
 * Record a stored contract's hashes on-chain (idempotent: a record already mined by this gateway is found, not resent).
 * @returns where it is recorded
 * @throws {ChainError} CHAIN_CONTRACT_HASH_OWNED (another account recorded this source), CHAIN_RPC_ERROR, CHAIN_NOT_A_CONTRACT, ...
 */
export async function recordContractOnChain(store: Store, recorder: ContractRecorder, c: ContractRecord): Promise<ContractChainRecord> {
  if (c.txHash) return recorder.describe(c.txHash)
  const onChain = await recorder.record({ sourceHash: c.hash, plan: c.plan, uri: `krain:contract:${c.id}?owner=${c.owner}` })
  await store.setContractTxHash(c.id, onChain.txHash)
  return onChain
}

/** Where a stored contract is recorded on-chain (null: not recorded yet, or no chain). */
export async function chainRecordOf(recorder: ContractRecorder | null, c: ContractRecord): Promise<ContractChainRecord | null> {
  return recorder && c.txHash ? recorder.describe(c.txHash) : null
}

/** A stored contract, or NOT_FOUND. */
export async function getContract(store: Store, id: string): Promise<ContractRecord> {
  const c = await store.getContract(id)
  if (!c) throw new NotFoundError('contract', id)
  return c
}

/** The addresses allowed to call a contract (decoded from its row). */
export const callersOf = (c: ContractRecord): string[] => decodeJson(ContractCallersRow, c.callers, { table: 'contracts', id: c.id, column: 'callers' })

/** A contract's rate limit, if it has one (decoded from its row). */
export const rateLimitOf = (c: ContractRecord): ContractRateLimit | null => (c.rateLimit ? decodeJson(ContractRateLimitRow, c.rateLimit, { table: 'contracts', id: c.id, column: 'rate_limit' }) : null)

/** The public description of a contract. */
export function contractInfo(c: ContractRecord, record: ContractChainRecord | null = null): ContractInfo {
  const plan = JSON.parse(c.plan) as ContractPlan
  return {
    id: c.id,
    owner: c.owner,
    hash: c.hash,
    scheme: c.scheme,
    source: c.source,
    plan,
    inputs: plan.inputs.map((i) => ({ name: i.name, enc: i.enc, type: i.type, range: [...i.range] })),
    callers: callersOf(c),
    rateLimit: rateLimitOf(c),
    record,
    createdAt: c.createdAt,
  }
}

/**
 * Count a call against the contract's rate limit.
 * @throws {GatewayError} CONTRACT_RATE_LIMITED when the caller used up its calls in the window
 */
export async function admitCall(store: Store, c: ContractRecord, caller: string, now = Date.now()): Promise<void> {
  const rl = rateLimitOf(c)
  const ok = await store.admitContractCall({ contractId: c.id, caller: caller.toLowerCase(), now, windowStart: now - (rl ? rl.windowSeconds * 1000 : 0), limit: rl ? rl.calls : null })
  if (!ok) throw new GatewayError('CONTRACT_RATE_LIMITED', { shortMessage: `contract "${c.id}" allows ${rl!.calls} call(s) per ${rl!.windowSeconds} s per caller`, details: 'retry after the window' })
}

/** Parameters of {@link runContractCall}. */
export type RunContractCallParameters = {
  pool: WorkerPool
  contract: ContractRecord
  key: { id: string; bundle: Buffer }
  batches: { count: number; inputs: Record<string, string> }[]
  plain?: Record<string, PlainValue>
}

/**
 * Evaluate a contract on ciphertexts in the worker pool (the key bundle is sent only to a worker that lacks it).
 * @throws {BadRequestError} CONTRACT_UNSUPPORTED for a plan this gateway cannot execute; HE_KEYS_UNAVAILABLE
 */
export async function runContractCall({ pool, contract, key, batches, plain }: RunContractCallParameters) {
  if (contract.scheme !== 'ckks') throw new BadRequestError('CONTRACT_UNSUPPORTED', `contract "${contract.id}" compiles to a ${contract.scheme} plan; the gateway runs CKKS plans`)
  const task = { kind: 'contract-call' as const, source: contract.source, hash: contract.hash, keyId: key.id, batches, ...(plain ? { plain } : {}) }
  let out = await pool.run(task)
  if ('needBundle' in out) out = await pool.run({ ...task, bundle: new Uint8Array(key.bundle) })
  if ('needBundle' in out) throw new BadRequestError('HE_KEYS_UNAVAILABLE', 'evaluation keys could not be loaded')
  return out.batches
}
