/**
 * @module commit-network
 * Commitments of generated circuits, bit for bit as the circuit computes them:
 *   committed: modelCommitment = PoseidonChain(pack(W_0 row-major, Bw_0) ‖ pack(b_0, Bb_0) ‖ pack(W_1, Bw_1) ‖ …)
 *   public:    modelCommitment = sha256(quantised model) mod r (a constant of the circuit)
 *   inputCommitment = PoseidonChain(pack(x_q, Bx) ‖ salt)
 * For the shipped shapes (30-feature logistic, 64-16-10 MLP) the committed form equals
 * `commitModel` / `commitInput`.
 */
import { getPoseidon, poseidonChainWith } from '../commit/poseidon-chain.js'
import { packSigned } from '../quantize/pack.js'
import { publicModelCommitment } from './circuit-spec.js'
import type { QuantizedNetwork } from './quantize-network.js'

/** The packed field elements of a committed model's commitment. */
export function networkCommitmentPreimage(q: QuantizedNetwork): bigint[] {
  return q.layers.flatMap((l) => [...packSigned(l.weights.flat(), l.weightBits), ...packSigned(l.bias, l.biasBits)])
}

/**
 * The model commitment of a quantised network (its circuit's second public signal).
 * @param q - the quantised network
 * @returns the Poseidon commitment (`committed`) or the model-hash constant (`public`)
 * @example
 * ```ts
 * const mc = await commitNetwork(q)
 * ```
 */
export async function commitNetwork(q: QuantizedNetwork): Promise<bigint> {
  if (q.mode === 'public') return publicModelCommitment(q)
  return poseidonChainWith(await getPoseidon(), networkCommitmentPreimage(q))
}

/**
 * The input commitment of a quantised row for a network's circuit.
 * @param q - the quantised network (fixes the input width)
 * @param x - the quantised row (see `quantizeNetworkInput`)
 * @param salt - a field element (see `randomSalt`)
 * @returns `PoseidonChain(pack(x, inputBits) ‖ salt)`
 */
export async function commitNetworkInput(q: QuantizedNetwork, x: readonly bigint[], salt: bigint): Promise<bigint> {
  return poseidonChainWith(await getPoseidon(), [...packSigned(x, q.inputBits), salt])
}
