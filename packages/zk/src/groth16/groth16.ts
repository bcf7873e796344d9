/**
 * @module groth16
 * The one Groth16 stack of Krain (BN254, snarkjs proof format): the proof type, its shape checks,
 * the off-chain pairing check (Groth 2016, eprint 2016/260, as snarkjs' `groth16_verify.js`) on a
 * single-threaded ffjavascript curve (no worker threads: verifying never keeps a process alive),
 * and the arguments of the snarkjs-generated Solidity verifier
 * `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] input)`.
 * Junk throws `ZkMalformedProofError`; a well-formed proof that does not verify returns `false`.
 * `@krain/chain` imports this module (`@krain/zk/groth16`) instead of parsing proofs itself.
 */
import { buildBn128 } from 'ffjavascript'
import { BN254_BASE_FIELD, SNARK_SCALAR_FIELD } from '../field.js'
import { ZkMalformedProofError } from '../errors.js'

/** A proof as snarkjs produces it (decimal strings, projective with z = 1). */
export type Groth16Proof = {
  pi_a: [string, string, string]
  pi_b: [[string, string], [string, string], [string, string]]
  pi_c: [string, string, string]
  protocol: 'groth16'
  curve: 'bn128'
}

type G = { fromObject(o: bigint[] | bigint[][]): unknown; isValid(p: unknown): boolean; neg(p: unknown): unknown; add(a: unknown, b: unknown): unknown; timesScalar(p: unknown, s: bigint): unknown; zero: unknown }
type Curve = { G1: G; G2: G; pairingEq(...ps: unknown[]): Promise<boolean> }

let curvePromise: Promise<Curve> | undefined
function curve(): Promise<Curve> {
  curvePromise ??= buildBn128(true) as Promise<Curve>
  return curvePromise
}

/** A parsed, shape-checked Groth16 proof (affine coordinates as bigints). */
export type ParsedProof = { a: [bigint, bigint]; b: [[bigint, bigint], [bigint, bigint]]; c: [bigint, bigint] }

const bad = (what: string, details?: string): never => {
  throw new ZkMalformedProofError({ shortMessage: `malformed ${what}`, details })
}

function coord(v: unknown, what: string): bigint {
  let n: bigint
  if (typeof v === 'bigint') n = v
  else if (typeof v === 'string' && /^[0-9]{1,78}$/.test(v)) n = BigInt(v)
  else return bad(what, 'expected a decimal string')
  if (n >= BN254_BASE_FIELD) bad(what, 'coordinate is not < q')
  return n
}

function g1(v: unknown, what: string): [bigint, bigint] {
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) return bad(what, 'expected [x, y, 1]')
  if (v.length === 3 && coord(v[2], what) !== 1n) bad(what, 'expected affine coordinates (z = 1)')
  return [coord(v[0], what), coord(v[1], what)]
}

function g2(v: unknown, what: string): [[bigint, bigint], [bigint, bigint]] {
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) return bad(what, 'expected [[x0, x1], [y0, y1], [1, 0]]')
  const pair = (p: unknown): [bigint, bigint] => (Array.isArray(p) && p.length === 2 ? [coord(p[0], what), coord(p[1], what)] : bad(what, 'expected a pair of coordinates'))
  if (v.length === 3) {
    const z = pair(v[2])
    if (z[0] !== 1n || z[1] !== 0n) bad(what, 'expected affine coordinates (z = [1, 0])')
  }
  return [pair(v[0]), pair(v[1])]
}

/**
 * Check the shape of a snarkjs Groth16 proof.
 * @param proof - `{ pi_a, pi_b, pi_c }` with decimal-string (or bigint) coordinates
 * @returns the parsed proof
 * @throws {ZkMalformedProofError} on anything else
 */
export function parseProof(proof: unknown): ParsedProof {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) return bad('proof', 'expected an object { pi_a, pi_b, pi_c }')
  const p = proof as Record<string, unknown>
  if (p.protocol !== undefined && p.protocol !== 'groth16') bad('proof', `protocol ${String(p.protocol)} is not groth16`)
  if (p.curve !== undefined && p.curve !== 'bn128') bad('proof', `curve ${String(p.curve)} is not bn128`)
  return { a: g1(p.pi_a, 'proof.pi_a'), b: g2(p.pi_b, 'proof.pi_b'), c: g1(p.pi_c, 'proof.pi_c') }
}

/**
 * Check public signals: `count` field elements as decimal strings or bigints.
 * @throws {ZkMalformedProofError} on anything else
 */
export function parsePublicSignals(signals: unknown, count: number): bigint[] {
  if (!Array.isArray(signals) || signals.length !== count) return bad('publicSignals', `expected an array of ${count} field elements`)
  return signals.map((s, i) => {
    let n: bigint
    if (typeof s === 'bigint') n = s
    else if (typeof s === 'string' && /^[0-9]{1,78}$/.test(s)) n = BigInt(s)
    else return bad(`publicSignals[${i}]`, 'expected a decimal string or a bigint')
    if (n >= SNARK_SCALAR_FIELD) bad(`publicSignals[${i}]`, 'not a field element (≥ r)')
    return n
  })
}

type VKey = { IC: string[][]; vk_alpha_1: string[]; vk_beta_2: string[][]; vk_gamma_2: string[][]; vk_delta_2: string[][]; nPublic: number }

const dec = (v: unknown): boolean => typeof v === 'string' && /^[0-9]{1,78}$/.test(v)
const point = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every(dec)
const point2 = (v: unknown): boolean => Array.isArray(v) && v.length === 3 && v.every((c) => point(c, 2))

/**
 * Check the shape of a snarkjs Groth16 verification key (BN254): `nPublic`, `IC` of `nPublic + 1`
 * G1 points, alpha (G1), beta/gamma/delta (G2), decimal coordinates.
 * @param vkey - the parsed `verification_key.json`
 * @returns the key, typed
 * @throws {TypeError} when it is not one
 */
export function aVerificationKey(vkey: unknown): VKey {
  const k = vkey as Partial<VKey> & { protocol?: unknown; curve?: unknown }
  const ok =
    typeof k === 'object' && k !== null && k.protocol === 'groth16' && k.curve === 'bn128' && Number.isSafeInteger(k.nPublic) && (k.nPublic as number) >= 0 &&
    Array.isArray(k.IC) && k.IC.length === (k.nPublic as number) + 1 && k.IC.every((p) => point(p, 3)) &&
    point(k.vk_alpha_1, 3) && point2(k.vk_beta_2) && point2(k.vk_gamma_2) && point2(k.vk_delta_2)
  if (!ok) throw new TypeError('"vkey" expected a snarkjs Groth16 bn128 verification key')
  return k as VKey
}

const big1 = (xs: string[]): bigint[] => xs.map((x) => BigInt(x))
const big2 = (xs: string[][]): bigint[][] => xs.map(big1)

/**
 * Verify a Groth16 proof against a snarkjs verification key.
 * @param vkey - the verification key JSON (snarkjs `verification_key.json`)
 * @param proof - the proof
 * @param publicSignals - the public signals, in order
 * @returns true when the pairing check holds; false for a well-formed proof that does not verify
 * @throws {ZkMalformedProofError} when the proof or the signals are junk
 * @throws {TypeError} when `vkey` is not a Groth16 bn128 verification key
 */
export async function verifyGroth16(vkey: Record<string, unknown>, proof: Groth16Proof | unknown, publicSignals: readonly (string | bigint)[]): Promise<boolean> {
  const vk = aVerificationKey(vkey)
  const p = parseProof(proof)
  const s = parsePublicSignals(publicSignals, vk.nPublic)
  const c = await curve()
  const a = c.G1.fromObject([...p.a, 1n])
  const b = c.G2.fromObject([...p.b, [1n, 0n]])
  const cc = c.G1.fromObject([...p.c, 1n])
  if (!c.G1.isValid(a) || !c.G2.isValid(b) || !c.G1.isValid(cc)) return false
  let cpub = c.G1.fromObject(big1(vk.IC[0]!))
  s.forEach((v, i) => {
    cpub = c.G1.add(cpub, c.G1.timesScalar(c.G1.fromObject(big1(vk.IC[i + 1]!)), v))
  })
  return c.pairingEq(
    c.G1.neg(a),
    b,
    cpub,
    c.G2.fromObject(big2(vk.vk_gamma_2)),
    cc,
    c.G2.fromObject(big2(vk.vk_delta_2)),
    c.G1.fromObject(big1(vk.vk_alpha_1)),
    c.G2.fromObject(big2(vk.vk_beta_2)),
  )
}

/** Typed verifier arguments. */
export type SolidityCalldata = {
  a: [bigint, bigint]
  b: [[bigint, bigint], [bigint, bigint]]
  c: [bigint, bigint]
  /** The three public signals (every Krain circuit has exactly three). */
  input: [bigint, bigint, bigint]
}

/**
 * Convert a proof and its public signals to the Solidity verifier's arguments. G2 coordinates are
 * swapped to the EVM precompile's order (`[x1, x0]`, EIP-197), as snarkjs' `exportSolidityCallData` does.
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

/**
 * The snarkjs proof and public signals of verifier arguments read back from the chain: the
 * inverse of {@link toSolidityCalldata} (G2 coordinates back to snarkjs' `[x0, x1]` order).
 * Values are not checked here: {@link verifyGroth16} parses what this returns.
 * @param calldata - `{ a, b, c, input }` as the verifier takes them
 * @returns `{ proof, publicSignals }` with decimal strings
 * @example
 * ```ts
 * const { proof, publicSignals } = fromSolidityCalldata(decodedArgs)
 * await verifyGroth16(vkey, proof, publicSignals)
 * ```
 */
export function fromSolidityCalldata(calldata: { a: readonly [bigint, bigint]; b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]]; c: readonly [bigint, bigint]; input: readonly bigint[] }): { proof: Groth16Proof; publicSignals: string[] } {
  const { a, b, c, input } = calldata
  const s = (x: bigint): string => x.toString()
  return {
    proof: {
      pi_a: [s(a[0]), s(a[1]), '1'],
      pi_b: [[s(b[0][1]), s(b[0][0])], [s(b[1][1]), s(b[1][0])], ['1', '0']],
      pi_c: [s(c[0]), s(c[1]), '1'],
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: input.map(s),
  }
}
