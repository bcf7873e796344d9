/**
 * @module commit
 * Model, input and batch commitments, bit for bit as the circuits compute them
 * (`circuits/src/lib/commit.circom`):
 *   modelCommitment (logistic) = chain(pack(w, B_w) ++ pack([b], B_b))
 *   modelCommitment (MLP)      = chain(pack(W1, B_w) ++ pack(b1, B_b1) ++ pack(W2, B_w) ++ pack(b2, B_b2))
 *   inputCommitment            = chain(pack(x_q, B_x) ++ [salt])
 *   batchCommitment            = chain(inputCommitment_0 .. inputCommitment_{k-1})
 * The salt hides low-entropy inputs (a binary feature vector could otherwise be found by trying
 * every candidate); it must be a uniformly random field element kept by the input's owner.
 */
import { randomBytes } from 'node:crypto'
import { aFieldElement, anArray, anObject, typeError } from '@krain/core'
import type { Model } from '@krain/models'
import { SNARK_SCALAR_FIELD } from '../field.js'
import { quantizeInput } from '../quantize/quantize-input.js'
import { quantizeModel, type QuantizedModel } from '../quantize/quantize-model.js'
import { packSigned } from '../quantize/pack.js'
import { CIRCUITS } from '../spec.js'
import { getPoseidon, poseidonChainWith } from './poseidon-chain.js'

/** The packed field elements a model commitment hashes. */
export function modelCommitmentPreimage(model: QuantizedModel): bigint[] {
  if (model.kind === 'logistic') {
    const s = CIRCUITS.inference_logistic
    return [...packSigned(model.weights, s.weightBits), ...packSigned([model.bias], s.biasBits)]
  }
  const s = CIRCUITS.inference_mlp
  const [l1, l2] = model.layers
  return [
    ...packSigned(l1.weights.flat(), s.weightBits),
    ...packSigned(l1.bias, s.biasBits[0]),
    ...packSigned(l2.weights.flat(), s.weightBits),
    ...packSigned(l2.bias, s.biasBits[1]),
  ]
}

/**
 * Commit to a model: the Poseidon chain over its packed quantised parameters.
 * @param model - a plaintext model (quantised first) or a quantised model
 * @returns the model commitment, a field element
 * @throws {TypeError|RangeError|ZkUnsupportedModelError} as `quantizeModel`
 * @example
 * ```ts
 * const c = await commitModel(breastCancerTask().model)
 * ```
 */
export async function commitModel(model: Model | QuantizedModel): Promise<bigint> {
  const q = quantizeModel(model)
  return poseidonChainWith(await getPoseidon(), modelCommitmentPreimage(q))
}

/** Parameters of {@link commitInput}. */
export type CommitInputParameters = {
  /** The model whose circuit the input is for (fixes the input's scale and width). */
  model: Model | QuantizedModel
  /** The preprocessed feature row (numbers), or its quantised form (bigints). */
  input: readonly (number | bigint)[]
  /** A uniformly random field element; see {@link randomSalt}. */
  salt: bigint
}

/** Internal: commitment of an already quantised row. */
export async function commitQuantizedInput(model: QuantizedModel, x: readonly bigint[], salt: bigint): Promise<bigint> {
  const bits = model.kind === 'logistic' ? CIRCUITS.inference_logistic.inputBits : CIRCUITS.inference_mlp.inputBits
  return poseidonChainWith(await getPoseidon(), [...packSigned(x, bits), salt])
}

/**
 * Commit to one input row with a salt.
 * @param parameters - `{ model, input, salt }`
 * @returns the input commitment, a field element
 * @throws {TypeError} on wrong argument types
 * @throws {RangeError} when the row has the wrong length, a value does not fit the circuit, or `salt` is not `< r`
 * @example
 * ```ts
 * const salt = randomSalt()
 * const c = await commitInput({ model, input: row, salt })
 * ```
 */
export async function commitInput(parameters: CommitInputParameters): Promise<bigint> {
  const p = anObject(parameters, 'parameters') as CommitInputParameters
  const q = quantizeModel(p.model)
  const salt = aFieldElement(p.salt, 'salt', SNARK_SCALAR_FIELD)
  return commitQuantizedInput(q, quantizeInput(q, p.input), salt)
}

/**
 * Commit to a batch: the Poseidon chain over the rows' input commitments, as the batch circuit.
 * @param inputCommitments - the per-row input commitments, in row order (1..256 field elements)
 * @returns the batch commitment
 * @throws {TypeError|RangeError} on junk
 * @example
 * ```ts
 * const b = await commitBatch([c0, c1, c2, c3, c4, c5, c6, c7])
 * ```
 */
export async function commitBatch(inputCommitments: readonly bigint[]): Promise<bigint> {
  const cs = anArray<unknown>(inputCommitments, 'inputCommitments', 1, 256)
  cs.forEach((c, i) => aFieldElement(c, `inputCommitments[${i}]`, SNARK_SCALAR_FIELD))
  return poseidonChainWith(await getPoseidon(), cs as bigint[])
}

/**
 * A fresh uniformly random salt in `[0, r)` (rejection sampling over 254-bit strings).
 * @returns a field element from `node:crypto`'s CSPRNG
 * @example
 * ```ts
 * const salt = randomSalt()
 * ```
 */
export function randomSalt(): bigint {
  for (;;) {
    const b = randomBytes(32)
    b[0]! &= 0x3f
    const v = BigInt(`0x${b.toString('hex')}`)
    if (v < SNARK_SCALAR_FIELD) return v
  }
}

/** Internal: check a salt argument. */
export function aSalt(v: unknown, name: string): bigint {
  if (typeof v !== 'bigint') typeError(name, 'a bigint field element', v)
  return aFieldElement(v, name, SNARK_SCALAR_FIELD)
}
