/**
 * @module he
 * `@krain/he`: every scheme at once. Each scheme is also its own entry point with the same names
 * (`@krain/he/paillier`, `@krain/he/ckks`, `@krain/he/bfv`, `@krain/he/elgamal`); this root is
 * their union (an export in two of them is the same binding).
 */
export * from './paillier/index.js'
export * from './ckks/index.js'
export * from './bfv/index.js'
export * from './elgamal/index.js'
