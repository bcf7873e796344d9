/**
 * @module prove
 * Generate and verify anonymous membership proofs (Groth16 over BN254 with snarkjs).
 * Public signals, in circuit order: [merkleRoot, nullifier, message, scope].
 * `scope = Poseidon(groupId, scopeTag)`: nullifiers are per (group, scope tag/epoch).
 */
import { readFileSync } from 'node:fs'
import { keccak256, toHex } from 'viem'
import * as snarkjs from 'snarkjs'
import { loadCircuit, proveCircuit, terminateCurve, type LoadedCircuit } from '@krain/zk/groth16-prover'
import { aBigInt } from '@krain/core'
import { IdentityError } from '../errors.js'
import { membershipArtifacts } from './artifacts.js'
import { MAX_DEPTH, type Group } from './group.js'
import type { Identity } from './identity.js'
import { poseidon, SNARK_FIELD } from './poseidon.js'

/** A serialisable membership proof (decimal strings). Contains no secret. */
export type MembershipProof = {
  groupId: string
  scopeTag: string
  merkleRoot: string
  merkleDepth: number
  nullifier: string
  message: string
  scope: string
  points: { pi_a: string[]; pi_b: string[][]; pi_c: string[] }
}

/** Parameters of {@link generateMembershipProof}. */
export type GenerateMembershipProofParameters = {
  identity: Identity
  group: Group
  /** Public group id (a field element, e.g. the on-chain group id). */
  groupId: bigint
  /** Scope tag, e.g. `model:<id>:epoch:<n>` or a field element. */
  scope: string | bigint
  /** The request digest the proof binds (string/bytes hashed to a field element, or a field element). */
  message: string | Uint8Array | bigint
}

/** Hash arbitrary data to a field element (keccak256 >> 8, as Semaphore does). */
export function toField(x: string | Uint8Array | bigint): bigint {
  if (typeof x === 'bigint') {
    if (x < 0n || x >= SNARK_FIELD) throw new RangeError(`expected a field element, got ${x}`)
    return x
  }
  return BigInt(keccak256(typeof x === 'string' ? toHex(x) : x)) >> 8n
}

/** The circuit's scope: `Poseidon(groupId, toField(scopeTag))`. */
export async function membershipScope(groupId: bigint, scopeTag: string | bigint): Promise<bigint> {
  return poseidon([toField(aBigInt(groupId, 'groupId')), toField(scopeTag)])
}

let vkey: unknown
const loadVkey = (): unknown => (vkey ??= JSON.parse(readFileSync(membershipArtifacts.vkey, 'utf8')))
// The wasm (2 MB) is compiled and the zkey (3 MB) parsed once per process, not once per proof;
// the bn128 curve and its threads stay warm in globalThis.curve_bn128 until terminateIdentityCurves().
let proving: Promise<LoadedCircuit> | undefined
const membershipCircuit = (): Promise<LoadedCircuit> => {
  proving ??= loadCircuit(new Uint8Array(readFileSync(membershipArtifacts.wasm)), new Uint8Array(readFileSync(membershipArtifacts.zkey)))
  proving.catch(() => (proving = undefined))
  return proving
}

/**
 * Load the membership circuit (compile its witness calculator, parse its proving key, start the
 * curve threads) ahead of the first proof, so that proof costs only its own work.
 * @example
 * ```ts
 * await warmMembershipProver()
 * ```
 */
export async function warmMembershipProver(): Promise<void> {
  await membershipCircuit()
}

/**
 * Prove that `identity` is a member of `group`, bound to `message`, revealing the scoped nullifier.
 * @returns the proof (public signals and Groth16 points; no secret)
 * @throws IdentityError `IDENTITY_NOT_MEMBER` if the identity is not in the group
 * @example
 * ```ts
 * const p = await generateMembershipProof({ identity, group, groupId: 1n, scope: 'model:7:epoch:42', message: digest })
 * ```
 */
export async function generateMembershipProof({ identity, group, groupId, scope, message }: GenerateMembershipProofParameters): Promise<MembershipProof> {
  const index = group.indexOf(identity.commitment)
  if (index < 0) throw new IdentityError({ code: 'IDENTITY_NOT_MEMBER', shortMessage: 'the identity is not a member of the group' })
  const mp = group.proof(index)
  if (mp.siblings.length > MAX_DEPTH) throw new IdentityError({ code: 'IDENTITY_TREE_TOO_DEEP', shortMessage: `tree depth ${mp.siblings.length} exceeds ${MAX_DEPTH}` })
  const scopeField = await membershipScope(groupId, scope)
  const msg = toField(message)
  const siblings = [...mp.siblings, ...Array<bigint>(MAX_DEPTH - mp.siblings.length).fill(0n)]
  const input = { secret: identity.secret, merkleProofLength: mp.siblings.length, merkleProofIndex: mp.index, merkleProofSiblings: siblings, message: msg, scope: scopeField }
  let res: { proof: unknown; publicSignals: string[] }
  try {
    res = await proveCircuit(await membershipCircuit(), input)
  } catch (cause) {
    throw new IdentityError({ code: 'IDENTITY_BAD_PROOF', shortMessage: 'membership witness could not be computed', cause })
  }
  const pr = res.proof as { pi_a: string[]; pi_b: string[][]; pi_c: string[] }
  const [merkleRoot, nullifier] = res.publicSignals as [string, string]
  return {
    groupId: groupId.toString(), scopeTag: typeof scope === 'bigint' ? scope.toString() : scope,
    merkleRoot, merkleDepth: mp.siblings.length, nullifier, message: msg.toString(), scope: scopeField.toString(),
    points: { pi_a: pr.pi_a, pi_b: pr.pi_b, pi_c: pr.pi_c },
  }
}

/**
 * Verify a membership proof's Groth16 points against its public signals (off-chain).
 * Does not check the root against a group, the scope's epoch nor nullifier reuse: see
 * {@link verifyMembershipRequest} for the full policy check.
 * @returns true if valid; false for a well-formed invalid proof
 * @throws TypeError on a malformed proof object
 */
export async function verifyMembershipProof(proof: MembershipProof): Promise<boolean> {
  const p = checkProofShape(proof)
  const scope = await membershipScope(BigInt(p.groupId), /^\d+$/.test(p.scopeTag) ? BigInt(p.scopeTag) : p.scopeTag)
  if (scope.toString() !== p.scope) return false
  const signals = [p.merkleRoot, p.nullifier, p.message, p.scope]
  try {
    return await snarkjs.groth16.verify(loadVkey(), signals, { ...p.points, protocol: 'groth16', curve: 'bn128' })
  } catch {
    return false
  }
}

/** Groth16 calldata for `MembershipVerifier.verifyProof(a, b, c, [root, nullifier, message, scope])`. */
export function membershipCalldata(proof: MembershipProof): { a: [bigint, bigint]; b: [[bigint, bigint], [bigint, bigint]]; c: [bigint, bigint]; signals: [bigint, bigint, bigint, bigint] } {
  const p = checkProofShape(proof).points
  const B = p.pi_b.map((r) => r.map(BigInt))
  return {
    a: [BigInt(p.pi_a[0]!), BigInt(p.pi_a[1]!)],
    b: [[B[0]![1]!, B[0]![0]!], [B[1]![1]!, B[1]![0]!]],
    c: [BigInt(p.pi_c[0]!), BigInt(p.pi_c[1]!)],
    signals: [BigInt(proof.merkleRoot), BigInt(proof.nullifier), BigInt(proof.message), BigInt(proof.scope)],
  }
}

/** Terminate snarkjs' bn128 curve workers (call when a process is done proving). */
export async function terminateIdentityCurves(): Promise<void> {
  await terminateCurve()
  delete (globalThis as { curve_bn128?: unknown }).curve_bn128
}

const dec = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !/^\d{1,78}$/.test(v) || BigInt(v) >= SNARK_FIELD) throw new TypeError(`"${name}" expected a decimal field element string, got ${typeof v}`)
  return v
}

function checkProofShape(proof: unknown): MembershipProof {
  if (typeof proof !== 'object' || proof === null) throw new TypeError('"proof" expected an object')
  const p = proof as MembershipProof
  for (const k of ['groupId', 'merkleRoot', 'nullifier', 'message', 'scope'] as const) dec(p[k], `proof.${k}`)
  if (typeof p.scopeTag !== 'string' || p.scopeTag.length === 0 || p.scopeTag.length > 1024) throw new TypeError('"proof.scopeTag" expected a string')
  const pts = p.points
  if (typeof pts !== 'object' || pts === null || !Array.isArray(pts.pi_a) || !Array.isArray(pts.pi_b) || !Array.isArray(pts.pi_c)) throw new TypeError('"proof.points" expected Groth16 points')
  const pa = pts.pi_a.slice(0, 2); const pc = pts.pi_c.slice(0, 2)
  pa.forEach((v, i) => dec(v, `proof.points.pi_a[${i}]`)); pc.forEach((v, i) => dec(v, `proof.points.pi_c[${i}]`))
  if (pa.length !== 2 || pc.length !== 2 || pts.pi_b.length < 2) throw new TypeError('"proof.points" expected Groth16 points')
  pts.pi_b.slice(0, 2).forEach((r, i) => { if (!Array.isArray(r) || r.length < 2) throw new TypeError(`"proof.points.pi_b[${i}]" expected a pair`); r.slice(0, 2).forEach((v, j) => dec(v, `proof.points.pi_b[${i}][${j}]`)) })
  return p
}
