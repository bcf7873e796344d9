/**
 * @module @krain/chain
 * The chain side of Krain's proven inference: start anvil, deploy `InferenceRegistry` and the
 * generated Groth16 verifiers, register models, submit proofs, read and watch records, and
 * verify a record on-chain and off-chain. Talks to any EVM JSON-RPC through viem
 * (`KRAIN_RPC_URL`, `KRAIN_PRIVATE_KEY`, `KRAIN_REGISTRY_ADDRESS`).
 */
export { ChainError, REGISTRY_ERROR_CODES } from './errors.js'
export type { ChainErrorCode, ChainErrorParameters } from './errors.js'
export { ANVIL_MNEMONIC, anvilBinaryPath, startAnvil } from './anvil/start-anvil.js'
export type { Anvil, StartAnvilParameters } from './anvil/start-anvil.js'
export { chainConfigFromEnv } from './client/config-from-env.js'
export type { ChainConfig } from './client/config-from-env.js'
export { createChainClient } from './client/create-chain-client.js'
export type { ChainClient, CreateChainClientParameters } from './client/create-chain-client.js'
export { connectChain } from './client/connect-chain.js'
export type { ConnectChainParameters, ConnectChainReturnType } from './client/connect-chain.js'
export { verifierCircuits, verifiers } from './registry/artifacts.js'
export type { VerificationKey, VerifierArtifact } from './registry/artifacts.js'
export { calldataFromProof, proofFromCalldata, toGroth16Calldata } from './registry/calldata.js'
export type { Groth16Calldata, SnarkjsGroth16Proof, SnarkjsProofStrings } from './registry/calldata.js'
export { toChainError } from './registry/decode-error.js'
export { deployContracts, deployVerifier } from './registry/deploy-contracts.js'
export type { DeployContractsParameters, DeployContractsReturnType } from './registry/deploy-contracts.js'
export { getInference } from './registry/get-inference.js'
export type { GetInferenceParameters } from './registry/get-inference.js'
export { batchId, inferenceId, unpackOutputs } from './registry/records.js'
export type { BatchInferenceRecord, InferenceRecord, SingleInferenceRecord } from './registry/records.js'
export { registerModel, setRegistrar } from './registry/register-model.js'
export type { RegisterModelParameters, TransactionResult } from './registry/register-model.js'
export { submitInference, submitInferenceBatch } from './registry/submit-inference.js'
export type { SubmitInferenceParameters, SubmitInferenceReturnType } from './registry/submit-inference.js'
export { watchInferences } from './registry/watch-inferences.js'
export type { WatchInferencesParameters } from './registry/watch-inferences.js'
export { verifyGroth16OffChain } from './verify/off-chain-verify.js'
export { verifyOnChainAndOffChain } from './verify/verify-on-chain-and-off-chain.js'
export type { VerifyOnChainAndOffChainParameters, VerifyOnChainAndOffChainReturnType } from './verify/verify-on-chain-and-off-chain.js'
export { groth16VerifierAbi, inferenceRegistryAbi, inferenceRegistryBytecode } from './generated/contracts.js'
