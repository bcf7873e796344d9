/**
 * @module verify/off-chain-verify
 * Off-chain Groth16 verification with snarkjs (`groth16.verify`). snarkjs builds its BN254 curve
 * with worker threads that keep Node alive; the curve is shared (reference-counted) across
 * concurrent calls and terminated when the last one finishes, if this module created it.
 */
import { createRequire } from 'node:module'
import type { VerificationKey } from '../registry/artifacts.js'

type Snarkjs = { groth16: { verify: (vk: unknown, publicSignals: string[], proof: unknown) => Promise<boolean> } }
type CurveHolder = { curve_bn128?: { terminate: () => Promise<void> } | null }

let active = 0
let ownsCurve = false

/**
 * Verify a Groth16 proof off-chain.
 * @param vk - the verification key
 * @param publicSignals - decimal strings
 * @param proof - snarkjs proof object
 * @returns true iff the proof is valid (false for a well-formed bad proof or out-of-field signal)
 */
export async function verifyGroth16OffChain(vk: VerificationKey, publicSignals: string[], proof: unknown): Promise<boolean> {
  const snarkjs = createRequire(import.meta.url)('snarkjs') as Snarkjs
  const holder = globalThis as CurveHolder
  if (active === 0) ownsCurve = !holder.curve_bn128
  active++
  try {
    // snarkjs logs and returns false for a bad proof; it throws only for structurally broken input
    return await snarkjs.groth16.verify(vk, publicSignals, proof).catch(() => false)
  } finally {
    active--
    if (active === 0 && ownsCurve && holder.curve_bn128) {
      const curve = holder.curve_bn128
      holder.curve_bn128 = null
      await curve.terminate()
    }
  }
}
