/**
 * @module bfv
 * `@krain/he/bfv`: exact integer vectors with BFV (SEAL) and batching.
 */
export { HeError, HeKeyMismatchError, HeScaleError, HeSerializationError } from '../errors.js'
export type { HeErrorParameters } from '../errors.js'
export { HeSealError, HeParametersError, HeNoiseBudgetError, HeDisposedError } from '../errors.js'
export { loadSeal } from '../seal/load-seal.js'
export { BfvClient, BfvVector, createBfvClient } from './bfv.js'
export type { BfvParameters } from './bfv.js'
