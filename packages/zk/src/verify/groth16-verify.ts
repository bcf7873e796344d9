/**
 * @module groth16-verify
 * Kept for existing imports: the Groth16 shape checks and pairing check live in `groth16/groth16.ts`.
 */
export { parseProof, parsePublicSignals, verifyGroth16 } from '../groth16/groth16.js'
export type { ParsedProof } from '../groth16/groth16.js'
