/**
 * @module verify/verify-on-chain-and-off-chain
 * What a third party runs (`krain verify`): given a registry and a record id, recover the proof
 * from the recording transaction's calldata, re-run it through the model's verifier contract
 * (`eth_call`; for a batch of k rows, the model's verifier of k-row batches as of the recording
 * block, so adding or replacing another size's verifier never changes the answer) and off-chain (`@krain/zk/groth16`) with the verifier's verification key, and
 * check that the proof's public signals are the recorded statement.
 */
import { anObject, isKrainError } from '@krain/core'
import { fromSolidityCalldata, verifyGroth16, type SolidityCalldata } from '@krain/zk/groth16'
import { decodeFunctionData, keccak256, type Address, type Hex } from 'viem'
import type { ChainClient } from '../client/create-chain-client.js'
import { ChainError } from '../errors.js'
import { groth16VerifierAbi, inferenceRegistryAbi } from '../generated/contracts.js'
import { verifiers, type VerificationKey } from '../registry/artifacts.js'
import { anAddress, anId } from '../registry/arguments.js'
import { toChainError } from '../registry/decode-error.js'
import { getInference } from '../registry/get-inference.js'
import { batchId, inferenceId, type InferenceRecord } from '../registry/records.js'

/** Parameters of {@link verifyOnChainAndOffChain}. */
export type VerifyOnChainAndOffChainParameters = {
  client: ChainClient
  registry: Address
  id: Hex
  /**
   * Verification key to use off-chain (snarkjs `verification_key.json`; default: the shipped
   * circuit's whose verifier bytecode matches the chain's). Needed for a model whose verifier was
   * generated for it (`buildCircuit` of `@krain/zk`: `circuit.vkey`).
   */
  verificationKey?: VerificationKey | Record<string, unknown>
}

/** Outcome of {@link verifyOnChainAndOffChain}. */
export type VerifyOnChainAndOffChainReturnType = {
  /** The record, or null when nothing is recorded under the id (then every check is false). */
  record: InferenceRecord | null
  /** The verifier contract that checked the proof. */
  verifier: Address | null
  /** The circuit whose generated verifier is deployed there, when known. */
  circuit: string | null
  /** The recovered proof's public signals hash to the record's id. */
  statementMatches: boolean
  /** The verifier contract accepts the proof now (`eth_call`). */
  onChain: boolean
  /** The off-chain Groth16 check (`@krain/zk/groth16`) accepts the proof with the verification key. */
  offChain: boolean
  /** All of the above. */
  valid: boolean
  /** The proof and public signals, as recovered from the chain. */
  calldata: SolidityCalldata | null
}

/** The model's verifier of `size`-row batches at `blockNumber` (the one that accepted the record), or now when the node keeps no state that old. */
async function batchVerifierAt(client: ChainClient, registry: Address, modelCommitment: bigint, size: number, blockNumber: bigint): Promise<Address> {
  const read = (at?: bigint) => client.publicClient.readContract({ address: registry, abi: inferenceRegistryAbi, functionName: 'batchVerifierOf', args: [modelCommitment, size], ...(at !== undefined ? { blockNumber: at } : {}) })
  return read(blockNumber).catch(() => read())
}

const none = (record: InferenceRecord | null): VerifyOnChainAndOffChainReturnType => ({ record, verifier: null, circuit: null, statementMatches: false, onChain: false, offChain: false, valid: false, calldata: null })

/**
 * Check a recorded inference on-chain and off-chain.
 *
 * @param parameters - `client` (read-only is enough), `registry`, `id`, optional `verificationKey`
 * @returns the record and the outcome of each check
 * @throws ChainError `CHAIN_PROOF_NOT_RECOVERABLE` when the recording transaction did not call the
 *   registry directly (e.g. through a multisig); `CHAIN_UNKNOWN_VERIFIER` when no verification key
 *   is known for the verifier's bytecode and none was given; `CHAIN_RPC_ERROR`
 * @example
 * ```ts
 * const { valid, record } = await verifyOnChainAndOffChain({ client, registry, id })
 * ```
 */
export async function verifyOnChainAndOffChain(parameters: VerifyOnChainAndOffChainParameters): Promise<VerifyOnChainAndOffChainReturnType> {
  anObject(parameters, 'parameters')
  const registry = anAddress(parameters.registry, 'registry')
  const id = anId(parameters.id, 'id')
  const { client } = parameters
  const record = await getInference({ client, registry, id })
  if (!record) return none(null)
  try {
    const tx = await client.publicClient.getTransaction({ hash: record.transactionHash })
    let decoded: ReturnType<typeof decodeFunctionData<typeof inferenceRegistryAbi>>
    try {
      if (!tx.to || tx.to.toLowerCase() !== registry.toLowerCase()) throw new Error('not a direct call')
      decoded = decodeFunctionData({ abi: inferenceRegistryAbi, data: tx.input })
    } catch (cause) {
      throw new ChainError('CHAIN_PROOF_NOT_RECOVERABLE', { shortMessage: `transaction ${record.transactionHash} did not call the registry directly: its proof cannot be recovered`, cause })
    }
    if (decoded.functionName !== 'submitInference' && decoded.functionName !== 'submitInferenceBatch') {
      throw new ChainError('CHAIN_PROOF_NOT_RECOVERABLE', { shortMessage: `transaction ${record.transactionHash} called ${decoded.functionName}` })
    }
    const [[a0, a1], [[b00, b01], [b10, b11]], [c0, c1], [s0, s1, s2]] = decoded.args
    const calldata: SolidityCalldata = { a: [a0, a1], b: [[b00, b01], [b10, b11]], c: [c0, c1], input: [s0, s1, s2] }
    const { a, b, c, input } = calldata
    const statementMatches =
      record.kind === 'single'
        ? inferenceId(input[1], input[2], input[0]) === record.id.toLowerCase()
        : batchId(input[1], input[2], input[0], record.size) === record.id.toLowerCase()
    const verifier =
      record.kind === 'single'
        ? (await client.publicClient.readContract({ address: registry, abi: inferenceRegistryAbi, functionName: 'getModel', args: [record.modelCommitment] })).verifier
        : await batchVerifierAt(client, registry, record.modelCommitment, record.size, record.blockNumber)
    const onChain = await client.publicClient
      .readContract({ address: verifier, abi: groth16VerifierAbi, functionName: 'verifyProof', args: [a, b, c, input] })
      .catch(() => false)
    const code = await client.publicClient.getCode({ address: verifier })
    const codeHash = code ? keccak256(code) : null
    const known = Object.entries(verifiers()).find(([, v]) => v.deployedBytecodeHash === codeHash)
    const circuit = known?.[0] ?? null
    const vk = parameters.verificationKey ?? known?.[1].verificationKey ?? null
    if (!vk) {
      throw new ChainError('CHAIN_UNKNOWN_VERIFIER', { shortMessage: `no verification key known for the verifier at ${verifier}`, details: 'pass verificationKey (the circuit’s verification_key.json)' })
    }
    const { proof, publicSignals } = fromSolidityCalldata(calldata)
    const offChain = await verifyGroth16(vk, proof, publicSignals).catch((e: unknown) => {
      // calldata the chain accepted can still be junk to the off-chain parser (a coordinate ≥ q): not a valid proof
      if (isKrainError(e) && e.code === 'ZK_MALFORMED_PROOF') return false
      throw e
    })
    return { record, verifier, circuit, statementMatches, onChain, offChain, valid: statementMatches && onChain && offChain, calldata }
  } catch (e) {
    throw toChainError(e, 'verifyOnChainAndOffChain')
  }
}
