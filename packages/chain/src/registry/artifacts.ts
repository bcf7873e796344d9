/**
 * @module registry/artifacts
 * Typed access to the generated contract artifacts (`generated/contracts.ts`, written by
 * `contracts/scripts/compile.ts`).
 */
import type { Hex } from 'viem'
import { verifierArtifacts } from '../generated/contracts.js'

/** snarkjs Groth16 verification key (the JSON `snarkjs zkey export verificationkey` writes). */
export type VerificationKey = {
  protocol: string
  curve: string
  nPublic: number
  vk_alpha_1: readonly string[]
  vk_beta_2: readonly (readonly string[])[]
  vk_gamma_2: readonly (readonly string[])[]
  vk_delta_2: readonly (readonly string[])[]
  IC: readonly (readonly string[])[]
  [key: string]: unknown
}

/** The generated verifier of one circuit. */
export type VerifierArtifact = {
  contractName: string
  zkeySha256: string
  bytecode: Hex
  deployedBytecodeHash: Hex
  verificationKey: VerificationKey | null
}

/** The generated verifiers, keyed by circuit name (`inference_logistic`, ...). */
export function verifiers(): Readonly<Record<string, VerifierArtifact>> {
  const all: Readonly<Record<string, VerifierArtifact>> = verifierArtifacts
  return all
}

/** Names of the circuits that have a generated verifier. */
export function verifierCircuits(): string[] {
  return Object.keys(verifiers()).sort()
}
