/**
 * @module poseidon-chain
 * The Poseidon hash chain of `circuits/src/lib/chain.circom`, computed with circomlibjs (the
 * same Poseidon parameters as circomlib):
 *   n ≤ 16: `Poseidon(e_0..e_{n-1})`;
 *   n > 16: `h = Poseidon(e_0..e_15)`, then `h = Poseidon(h, chunk)` for each next chunk of ≤ 15.
 */
import { buildPoseidon, type Poseidon } from 'circomlibjs'

let poseidonPromise: Promise<Poseidon> | undefined

/** circomlibjs' Poseidon, built once (single-threaded WebAssembly; holds no worker). */
export function getPoseidon(): Promise<Poseidon> {
  poseidonPromise ??= buildPoseidon()
  return poseidonPromise
}

/** Synchronous chain with an already built Poseidon. */
export function poseidonChainWith(poseidon: Poseidon, elements: readonly bigint[]): bigint {
  const h = (xs: bigint[]): bigint => poseidon.F.toObject(poseidon(xs))
  const first = Math.min(elements.length, 16)
  let acc = h(elements.slice(0, first))
  for (let i = first; i < elements.length; i += 15) acc = h([acc, ...elements.slice(i, i + 15)])
  return acc
}

/**
 * Poseidon chain over field elements, identical to the circuits' `PoseidonChain(n)`.
 * @param elements - 1 or more field elements (each `< r`)
 * @returns the digest
 * @example
 * ```ts
 * await poseidonChain([1n, 2n]) // = Poseidon(1, 2)
 * ```
 */
export async function poseidonChain(elements: readonly bigint[]): Promise<bigint> {
  if (elements.length === 0) throw new RangeError('"elements" expected at least 1 field element, got array(0)')
  return poseidonChainWith(await getPoseidon(), elements)
}
