/**
 * @module registry/calldata
 * The arguments of a Groth16 verifier call (`a`, `b`, `c`, three public signals), from a
 * snarkjs proof or from `@krain/zk`'s `toSolidityCalldata`, checked at the boundary.
 *
 * Note the G2 point `b`: Solidity (EIP-197) takes each Fp2 coordinate as (imaginary, real), so
 * `b = [[x1, x0], [y1, y0]]` relative to snarkjs' `pi_b = [[x0, x1], [y0, y1], [1, 0]]`.
 */
import { anArray, anObject } from '@krain/core'

const UINT256 = 1n << 256n

/** Verifier-call arguments: the proof points and the three public signals. */
export type Groth16Calldata = {
  a: readonly [bigint, bigint]
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]]
  c: readonly [bigint, bigint]
  /** `[output, modelCommitment, inputCommitment]` (or the batch circuit's three signals). */
  input: readonly [bigint, bigint, bigint]
}

/** A snarkjs Groth16 proof object. */
export type SnarkjsGroth16Proof = {
  pi_a: readonly (string | bigint)[]
  pi_b: readonly (readonly (string | bigint)[])[]
  pi_c: readonly (string | bigint)[]
  protocol?: string
  curve?: string
}

function word(v: unknown, name: string): bigint {
  let x: bigint
  if (typeof v === 'bigint') x = v
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) x = BigInt(v)
  else if (typeof v === 'number' && Number.isSafeInteger(v)) x = BigInt(v)
  else throw new TypeError(`"${name}" expected a uint256 (bigint, decimal or 0x string), got ${typeof v}`)
  if (x < 0n || x >= UINT256) throw new RangeError(`"${name}" expected a uint256, got ${x}`)
  return x
}

function pair(v: unknown, name: string): [bigint, bigint] {
  const xs = anArray(v, name, 2, 2)
  return [word(xs[0], `${name}[0]`), word(xs[1], `${name}[1]`)]
}

/**
 * Check and normalise verifier-call arguments (accepts bigints, decimal or hex strings).
 * Field membership of the public signals is NOT checked here: the registry checks it and
 * reverts with `InferenceRegistry__PublicInputNotInField`.
 *
 * @param calldata - `{ a, b, c, input }`
 * @returns the same values as bigints
 * @throws TypeError / RangeError naming the malformed element
 */
export function toGroth16Calldata(calldata: unknown): Groth16Calldata {
  const o = anObject(calldata, 'calldata')
  const b = anArray(o.b, 'calldata.b', 2, 2)
  const input = anArray(o.input, 'calldata.input', 3, 3)
  return {
    a: pair(o.a, 'calldata.a'),
    b: [pair(b[0], 'calldata.b[0]'), pair(b[1], 'calldata.b[1]')],
    c: pair(o.c, 'calldata.c'),
    input: [word(input[0], 'calldata.input[0]'), word(input[1], 'calldata.input[1]'), word(input[2], 'calldata.input[2]')],
  }
}

/**
 * Verifier-call arguments from a snarkjs proof and its public signals.
 *
 * @param proof - `{ pi_a, pi_b, pi_c }` as snarkjs returns it
 * @param publicSignals - the three public signals (decimal strings or bigints)
 * @returns `{ a, b, c, input }` with `b`'s coordinates in Solidity order
 * @throws TypeError / RangeError on a malformed proof
 * @example
 * ```ts
 * const calldata = calldataFromProof(proof, publicSignals)
 * ```
 */
export function calldataFromProof(proof: SnarkjsGroth16Proof, publicSignals: readonly (string | bigint)[]): Groth16Calldata {
  const p = anObject(proof, 'proof')
  const pa = anArray(p.pi_a, 'proof.pi_a', 2, 3)
  const pb = anArray<unknown[]>(p.pi_b, 'proof.pi_b', 2, 3)
  const pc = anArray(p.pi_c, 'proof.pi_c', 2, 3)
  const b0 = anArray(pb[0], 'proof.pi_b[0]', 2, 2)
  const b1 = anArray(pb[1], 'proof.pi_b[1]', 2, 2)
  return toGroth16Calldata({ a: [pa[0], pa[1]], b: [[b0[1], b0[0]], [b1[1], b1[0]]], c: [pc[0], pc[1]], input: publicSignals })
}

/** A snarkjs Groth16 proof with decimal-string coordinates. */
export type SnarkjsProofStrings = {
  pi_a: [string, string, string]
  pi_b: [[string, string], [string, string], [string, string]]
  pi_c: [string, string, string]
  protocol: 'groth16'
  curve: 'bn128'
}

/**
 * The snarkjs proof and public signals encoded by verifier-call arguments (inverse of
 * {@link calldataFromProof}), for off-chain verification of a proof read from the chain.
 */
export function proofFromCalldata(calldata: Groth16Calldata): { proof: SnarkjsProofStrings; publicSignals: [string, string, string] } {
  const { a, b, c, input } = calldata
  return {
    proof: {
      pi_a: [a[0].toString(), a[1].toString(), '1'],
      pi_b: [
        [b[0][1].toString(), b[0][0].toString()],
        [b[1][1].toString(), b[1][0].toString()],
        ['1', '0'],
      ],
      pi_c: [c[0].toString(), c[1].toString(), '1'],
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: [input[0].toString(), input[1].toString(), input[2].toString()],
  }
}
