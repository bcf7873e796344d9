/**
 * @module to-solidity-calldata
 * Kept for existing imports: the verifier calldata lives in `groth16/groth16.ts`.
 */
export { toSolidityCalldata } from '../groth16/groth16.js'
export type { SolidityCalldata } from '../groth16/groth16.js'
