/**
 * The checks that run in the browser (a chunk loaded only by "verify in this browser", bundled from
 * node_modules; no CDN): snarkjs's Groth16 verifier against the verification key of the job's
 * circuit, and the SDK's `verifyReceipt`, which checks the proof again with `@krain/zk`'s pairing
 * check and reads the registry on the chain's RPC: the record exists, was made by the receipt's
 * transaction, and the deployed verifier contract accepts its proof. Neither asks the gateway
 * whether the proof is valid.
 */
import { groth16 } from 'snarkjs'
import { verifyReceipt, type ProvenInferenceReceipt, type VerifyReceiptReturnType } from '@krain/client/browser'

/** Verify a Groth16 proof (snarkjs's format) for its public signals. */
export async function verifyGroth16InBrowser(vkey: Record<string, unknown>, publicSignals: string[], proof: unknown): Promise<boolean> {
  return groth16.verify(vkey, publicSignals, proof as never)
}

/** The fixed circuits whose verification keys the SDK pins; any other circuit is checked with the key given. */
const PINNED = new Set(['inference_logistic', 'inference_mlp'])

/** `verifyReceipt` of the SDK, in this page, against the chain at `rpcUrl`. */
export function verifyReceiptInBrowser(receipt: ProvenInferenceReceipt, rpcUrl: string, vkey: Record<string, unknown>): Promise<VerifyReceiptReturnType> {
  return verifyReceipt({ receipt, rpcUrl, ...(PINNED.has(receipt.circuit) ? {} : { verificationKey: vkey }) })
}
