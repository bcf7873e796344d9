/**
 * @module to-solidity-calldata
 * Arguments of the snarkjs-generated Solidity verifier
 * `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] input)`, as bigints ready for viem.
 * G2 coordinates are swapped to the EVM precompile's order (`[x1, x0]`), as snarkjs'
 * `exportSolidityCallData` does.
 */
import { parseProof, parsePublicSignals } from '../verify/groth16-verify.js'
import type { Groth16Proof } from '../prove/prover-pool.js'

/** Typed verifier arguments. */
export type SolidityCalldata = {
  a: [bigint, bigint]
  b: [[bigint, bigint], [bigint, bigint]]
  c: [bigint, bigint]
  /** The three public signals (every Krain circuit has exactly three). */
  input: [bigint, bigint, bigint]
}

/**
 * Convert a proof and its public signals to the Solidity verifier's arguments.
 * @param proof - a snarkjs Groth16 proof
 * @param publicSignals - its three public signals
 * @returns `{ a, b, c, input }` as bigints
 * @throws {ZkMalformedProofError} when the proof or the signals are junk (or not three)
 * @example
 * ```ts
 * const { a, b, c, input } = toSolidityCalldata(r.proof, r.publicSignals)
 * await publicClient.readContract({ address, abi, functionName: 'verifyProof', args: [a, b, c, input] })
 * ```
 */
export function toSolidityCalldata(proof: Groth16Proof, publicSignals: readonly (string | bigint)[]): SolidityCalldata {
  const p = parseProof(proof)
  const input = parsePublicSignals(publicSignals, 3) as [bigint, bigint, bigint]
  return {
    a: p.a,
    b: [
      [p.b[0][1], p.b[0][0]],
      [p.b[1][1], p.b[1][0]],
    ],
    c: p.c,
    input,
  }
}
