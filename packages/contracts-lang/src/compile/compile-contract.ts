/**
 * @module compile/compile-contract
 * Compile a contract: parse, check, choose the scheme (Paillier when the encrypted part is only
 * additions and plaintext scalings, BFV when it is exact integer arithmetic, CKKS otherwise),
 * pick 128-bit parameters for the depth the program needs (refusing it when none fits), list the
 * Galois steps, and state each output's error bound. The content hash covers the source and plan.
 */
import { createHash } from 'node:crypto'
import { ckksParametersForDepth, type CkksParameters } from '@krain/he'
import { ContractDepthError, ContractUnsupportedError } from '../errors.js'
import { checkContract, type CheckedContract } from '../check/check-contract.js'
import { parseContract } from '../syntax/parse-contract.js'
import type { InputType, Range } from '../syntax/ast.js'

/** Version of the plan format. */
export const CONTRACT_PLAN_VERSION = 1
/** Safety factor applied to the propagated error estimate. */
const ERROR_SAFETY = 8

/** The plan of a compiled contract. */
export type ContractPlan = {
  version: number
  scheme: 'ckks' | 'bfv' | 'paillier'
  /** Why this scheme. */
  schemeReason: string
  /** CKKS parameters (present for CKKS plans). */
  params?: CkksParameters
  /** BFV parameters (present for BFV plans): ring degree and plaintext-modulus bits (values stay in ±2^(bits−1)). */
  bfv?: { polyModulusDegree: number; plainModulusBits: number }
  /** Paillier parameters (present for Paillier plans): modulus bits and fixed-point fraction bits. */
  paillier?: { bits: number; fractionBits: number }
  depth: number
  galoisSteps: number[]
  relin: boolean
  /** Slots per sample; samples per ciphertext = slots / blockSize. */
  blockSize: number
  samplesPerCiphertext: number
  inputs: { name: string; enc: boolean; type: InputType; range: Range }[]
  outputs: { name: string; enc: boolean; length: number; range: Range; errorBound: number }[]
  approximations: { fn: string; range: Range; degree: number; maxError: number; band?: number; line: number; column: number }[]
}

/** A compiled contract: its plan, the checked program and its content hash. */
export type CompiledContract = {
  source: string
  plan: ContractPlan
  program: CheckedContract
  /** sha256 (hex) of the source and the plan. */
  hash: string
}

/** Options of {@link compileContract}. */
export type CompileContractOptions = {
  /** Force a scheme (CKKS can run every program). */
  scheme?: 'ckks' | 'bfv' | 'paillier'
  /** Paillier modulus bits (default 3072; 2048 allowed). */
  paillierBits?: number
}

/** Fixed-point fraction bits of a Paillier plan. */
const PAILLIER_FRACTION_BITS = 40

/** The scheme's ε: absolute error of one CKKS operation on values of magnitude ≤ 1. */
export function ckksEpsilon(params: CkksParameters): number {
  return (params.polyModulusDegree * 8) / 2 ** params.scaleBits
}

function chooseScheme(c: CheckedContract): { scheme: ContractPlan['scheme']; reason: string } {
  const encInputs = c.inputs.filter((i) => i.enc)
  if (!c.uses.encMul && !c.uses.approx && encInputs.length > 0) return { scheme: 'paillier', reason: 'only additions and plaintext scalings of encrypted values' }
  const exact = encInputs.every((i) => i.type.base === 'int') && [...c.info.values()].every((v) => !v.enc || v.integer) && !c.uses.approx && !c.uses.divide
  if (exact && encInputs.length > 0) return { scheme: 'bfv', reason: 'exact integer arithmetic with encrypted products' }
  return { scheme: 'ckks', reason: c.uses.approx ? 'real arithmetic with polynomial approximations' : 'real arithmetic with encrypted products' }
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`
  return JSON.stringify(v)
}

/**
 * Parse, check and compile contract source.
 * @param src - contract source text
 * @param options - optional forced scheme
 * @returns `{ plan, program, hash, source }`
 * @throws {ContractSyntaxError} / {ContractTypeError} / {ContractLeakError} / {ContractRangeError} from parsing and checking
 * @throws {ContractDepthError} when no 128-bit parameter set holds the depth the program needs
 * @example
 * ```ts
 * const { plan } = compileContract('input x: enc vec<4> in [0, 1]\noutput s = sum(x)')
 * ```
 */
export function compileContract(src: string, options: CompileContractOptions = {}): CompiledContract {
  const program = checkContract(parseContract(src))
  const chosen = options.scheme ? { scheme: options.scheme, reason: 'forced by the caller' } : chooseScheme(program)
  const depth = Math.max(1, program.depth)
  const headroomBits = program.maxMagnitude > 2 ** 18 ? Math.ceil(Math.log2(program.maxMagnitude)) + 2 : 0
  let params: CkksParameters | undefined
  let eps = 0
  if (chosen.scheme === 'ckks') {
    try {
      params = ckksParametersForDepth(depth, 8192, headroomBits)
    } catch (cause) {
      throw new ContractDepthError({ shortMessage: `the program needs multiplicative depth ${depth}${headroomBits ? ` and ${headroomBits} bits of headroom` : ''}, more than any 128-bit CKKS parameter set holds`, details: 'lower approximation degrees, narrow the ranges or split the contract', cause })
    }
    eps = ckksEpsilon(params)
  }
  let bfv: ContractPlan['bfv']
  let paillier: ContractPlan['paillier']
  if (chosen.scheme === 'bfv') {
    const exact = program.inputs.every((i) => !i.enc || i.type.base === 'int') && [...program.info.values()].every((v) => !v.enc || v.integer) && !program.uses.approx && !program.uses.divide
    if (!exact) throw new ContractUnsupportedError({ shortMessage: 'BFV computes exact integers: this program has non-integer encrypted values (a real input, a fraction, a division, a mean or an approximation)', details: "compile with { scheme: 'ckks' }" })
    const bits = Math.max(17, Math.ceil(Math.log2(program.maxMagnitude + 1)) + 2)
    if (bits > 30 || depth > 6) throw new ContractDepthError({ shortMessage: bits > 30 ? `values may reach ${program.maxMagnitude}, beyond BFV's largest plaintext modulus (2^29)` : `the program needs multiplicative depth ${depth}, more than BFV holds here (6)`, details: "narrow the input ranges, or compile with { scheme: 'ckks' }" })
    bfv = { polyModulusDegree: depth <= 3 ? 8192 : 16384, plainModulusBits: bits }
  }
  if (chosen.scheme === 'paillier') {
    if (program.uses.encMul || program.uses.approx) throw new ContractUnsupportedError({ shortMessage: 'Paillier adds encrypted values and scales them by plain ones only; this program multiplies encrypted values or approximates a function', details: "compile with { scheme: 'ckks' }" })
    paillier = { bits: options.paillierBits ?? 3072, fractionBits: PAILLIER_FRACTION_BITS }
    eps = 2 ** -PAILLIER_FRACTION_BITS
  }
  const block = program.blockSize
  const slots = params ? params.polyModulusDegree / 2 : 4096
  const steps: number[] = []
  if (program.uses.rotations) for (let s = 1; s < block; s *= 2) steps.push(s)
  const plan: ContractPlan = {
    version: CONTRACT_PLAN_VERSION,
    scheme: chosen.scheme,
    schemeReason: chosen.reason,
    params,
    ...(bfv ? { bfv } : {}),
    ...(paillier ? { paillier } : {}),
    depth,
    galoisSteps: steps,
    relin: program.uses.encMul || program.uses.approx,
    blockSize: block,
    samplesPerCiphertext: Math.floor(slots / block),
    inputs: program.inputs.map((i) => ({ name: i.name, enc: i.enc, type: i.type, range: i.range })),
    outputs: program.outputs.map((o) => ({ name: o.name, enc: o.info.enc, length: o.info.length, range: o.info.range, errorBound: o.info.enc ? ERROR_SAFETY * (o.info.noise * eps) + 1.01 * o.info.approx + 1e-12 : 0 })),
    approximations: [...program.approximations.entries()].map(([e, a]) => ({ fn: a.fn, range: a.range, degree: a.degree, maxError: a.maxError, band: a.band, line: e.pos.line, column: e.pos.column })),
  }
  const hash = createHash('sha256').update(stableJson({ source: src, plan })).digest('hex')
  return { source: src, plan, program, hash }
}

/**
 * Compile a contract for a gateway, which evaluates CKKS plans in its worker pool: a program the
 * default choice would give to Paillier (additions and plain scalings only) is compiled for CKKS
 * instead (every such program is a CKKS program; its plan states the error bound); an exact-integer
 * (BFV) program is refused, since CKKS would make its exact answer approximate. The gateway, its
 * workers and the caller's SDK all compile through this, so they agree on the hash.
 * @throws {ContractUnsupportedError} for a program that needs BFV; the compiler's positioned errors otherwise
 */
export function compileForGateway(src: string): CompiledContract {
  const compiled = compileContract(src)
  if (compiled.plan.scheme === 'ckks') return compiled
  if (compiled.plan.scheme === 'paillier') return compileContract(src, { scheme: 'ckks' })
  throw new ContractUnsupportedError({ shortMessage: `the program needs exact integer arithmetic (a ${compiled.plan.scheme} plan); the gateway runs CKKS plans`, details: "run it locally with createExactContractClient, or declare its inputs as reals (f64) to accept CKKS's stated error bound" })
}
