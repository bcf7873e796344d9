/**
 * @module poseidon
 * circomlibjs' Poseidon (circomlib parameters, BN254 scalar field), built once.
 */
import { buildPoseidon, type Poseidon } from 'circomlibjs'

/** BN254 scalar field order (the circuit's field). */
export const SNARK_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

let p: Promise<Poseidon> | undefined
let ready: Poseidon | undefined

/** Build (once) and return circomlibjs' Poseidon. */
export async function getPoseidon(): Promise<Poseidon> {
  p ??= buildPoseidon().then((x) => (ready = x))
  return p
}

/** Synchronous Poseidon hash; call after {@link getPoseidon} resolved. */
export function poseidonSync(xs: readonly bigint[]): bigint {
  if (!ready) throw new Error('poseidon not built: await getPoseidon() first')
  return ready.F.toObject(ready([...xs]))
}

/** Poseidon hash of 1..16 field elements. */
export async function poseidon(xs: readonly bigint[]): Promise<bigint> {
  await getPoseidon()
  return poseidonSync(xs)
}
