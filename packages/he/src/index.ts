export { HeError } from './errors.js'
export type { HeErrorParameters } from './errors.js'

// --- paillier exports ---

// --- ckks / bfv / seal exports ---

// --- elgamal exports ---
