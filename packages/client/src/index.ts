/**
 * @module client
 * `@krain/gateway/client`: the SDK for agents ({@link KrainClient}), hospitals
 * ({@link MpcParticipant}) and verifiers ({@link verifyReceipt}).
 */
export { KrainClient } from './krain-client.js'
export type { JobInfo, KrainClientParameters, ModelInfo, ProvenInferenceReceipt } from './krain-client.js'
export type { JobEvent } from './krain-client.js'
export { readServerSentEvents } from './sse.js'
export type { ServerSentEvent } from './sse.js'
export { MpcParticipant } from './mpc-participant.js'
export type { MpcParticipantParameters, MpcProgress } from './mpc-participant.js'
export { PsiParticipant } from './psi-participant.js'
export type { PsiParticipantParameters, PsiParticipantProgress, PsiParticipantResult, PsiSessionInfo } from './psi-participant.js'
export { verifyReceipt } from './verify-receipt.js'
export type { VerifyReceiptReturnType } from './verify-receipt.js'
export { verifyBatchReceipt } from './verify-batch-receipt.js'
export type { VerifyBatchReceiptParameters, VerifyBatchReceiptReturnType } from './verify-batch-receipt.js'
export { GatewayHttp } from './http.js'
export type { GatewayHttpParameters, RequestOptions } from './http.js'
export type { BytesResponse } from './http.js'
export { KrainHttpError } from './errors.js'
export { ContractClient } from './contract-client.js'
export type { CallReturnType, ContractClientParameters, DeployParameters } from './contract-client.js'
export { AnonymousAgent } from './anonymous.js'
export type { AnonymousAgentParameters } from './anonymous.js'
export { FederatedParticipant } from './federated-participant.js'
export type { FederatedParticipantParameters, FederatedProgress } from './federated-participant.js'
