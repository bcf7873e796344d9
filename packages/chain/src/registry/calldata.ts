/**
 * @module registry/calldata
 * The arguments of a verifier call (`a`, `b`, `c`, three public signals) in the type of
 * `@krain/zk/groth16` (`SolidityCalldata`, which owns the proof format and the G2 swap), checked
 * at the boundary when they arrive as calldata rather than as a snarkjs proof: each element a
 * uint256. Field membership is not checked here: the registry checks it and reverts with
 * `InferenceRegistry__PublicInputNotInField`, the verifier rejects out-of-field coordinates.
 */
import { anArray, anObject } from '@krain/core'
import type { SolidityCalldata } from '@krain/zk/groth16'

const UINT256 = 1n << 256n

function word(v: unknown, name: string): bigint {
  let x: bigint
  if (typeof v === 'bigint') x = v
  else if (typeof v === 'string' && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(v)) x = BigInt(v)
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
 * Check and normalise verifier-call arguments (bigints, decimal or hex strings).
 *
 * @param calldata - `{ a, b, c, input }`, `b` already in the EVM's coordinate order
 * @returns the same values as bigints
 * @throws TypeError / RangeError naming the malformed element
 * @example
 * ```ts
 * const cd = toGroth16Calldata(JSON.parse(body).calldata)
 * ```
 */
export function toGroth16Calldata(calldata: unknown): SolidityCalldata {
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
