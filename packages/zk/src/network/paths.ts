/**
 * @module paths
 * Where the circuit generator finds what it needs, resolved (not assumed to be this repository):
 * the circom library of Krain (`KRAIN_CIRCUITS_LIB`, default `circuits/src/lib` beside this
 * package), circomlib and the circom2 compiler (through Node's resolution from this package), and
 * the cache of built circuits (`KRAIN_CIRCUIT_CACHE`, default `~/.cache/krain/circuits`).
 */
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)

/** The circom library files a generated circuit includes (hashed into every circuit key). */
export const CIRCUIT_LIB_FILES = ['network.circom', 'commit.circom', 'arith.circom', 'pack.circom', 'chain.circom'] as const

/** Krain's circom library directory. */
export function circuitLibDir(): string {
  return process.env.KRAIN_CIRCUITS_LIB ? resolve(process.env.KRAIN_CIRCUITS_LIB) : fileURLToPath(new URL('../../../../circuits/src/lib/', import.meta.url))
}

/** circomlib's `circuits/` directory. */
export function circomlibDir(): string {
  return join(dirname(require.resolve('circomlib/package.json')), 'circuits')
}

/** The circom2 (WebAssembly) package directory. */
export function circom2Dir(): string {
  return dirname(require.resolve('circom2/package.json'))
}

/** snarkjs' package directory (for its Solidity verifier template). */
export function snarkjsDir(): string {
  return dirname(dirname(require.resolve('snarkjs')))
}

/** The default circuit cache: `KRAIN_CIRCUIT_CACHE` or `~/.cache/krain/circuits`. */
export function defaultCircuitCacheDir(): string {
  return process.env.KRAIN_CIRCUIT_CACHE ? resolve(process.env.KRAIN_CIRCUIT_CACHE) : join(homedir(), '.cache', 'krain', 'circuits')
}
