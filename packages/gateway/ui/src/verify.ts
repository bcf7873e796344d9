/**
 * The proof check that runs in the browser: snarkjs's Groth16 verifier (bundled from
 * node_modules into a chunk loaded only when asked; no CDN), against the verification key of the
 * job's circuit. The pairing check runs here, in WebAssembly, not at the gateway.
 */
import { groth16 } from 'snarkjs'

/** Verify a Groth16 proof (snarkjs's format) for its public signals. */
export async function verifyGroth16InBrowser(vkey: Record<string, unknown>, publicSignals: string[], proof: unknown): Promise<boolean> {
  return groth16.verify(vkey, publicSignals, proof as never)
}
