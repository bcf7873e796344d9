/**
 * @module @krain/chain/browser
 * `@krain/chain` under the `browser` condition: what a verifier needs in a browser (connect to an
 * RPC, read and check registry records on-chain and off-chain), without anvil, solc or deployment,
 * which need Node. Every name here is the same binding as in `index.ts`.
 */
export { ChainError, REGISTRY_ERROR_CODES } from './errors.js'
export type { ChainErrorCode, ChainErrorParameters } from './errors.js'
export { createChainClient } from './client/create-chain-client.js'
export type { ChainClient, CreateChainClientParameters } from './client/create-chain-client.js'
export { verifierCircuits, verifiers } from './registry/artifacts.js'
export type { VerificationKey, VerifierArtifact } from './registry/artifacts.js'
export { toChainError } from './registry/decode-error.js'
export { getInference } from './registry/get-inference.js'
export type { GetInferenceParameters } from './registry/get-inference.js'
export { batchId, inferenceId, unpackOutputs } from './registry/records.js'
export type { BatchInferenceRecord, InferenceRecord, RegistryLog, SingleInferenceRecord } from './registry/records.js'
export { verifyOnChainAndOffChain } from './verify/verify-on-chain-and-off-chain.js'
export type { VerifyOnChainAndOffChainParameters, VerifyOnChainAndOffChainReturnType } from './verify/verify-on-chain-and-off-chain.js'
export { contractRegistryAbi, groth16VerifierAbi, inferenceRegistryAbi } from './generated/contracts.js'
