/**
 * @module verifier/compile-verifier
 * Compile a snarkjs-generated Groth16 verifier (`snarkjs zkey export solidityverifier`, or
 * `zKey.exportSolidityVerifier`) with the pinned solc and check that it has the interface every
 * Krain verifier shares: `verifyProof(uint256[2], uint256[2][2], uint256[2], uint256[3]) → bool`
 * (three public signals: `[output, modelCommitment, inputCommitment]`, or
 * `[packedOutputs, modelCommitment, batchCommitment]` for a batch).
 */
import { keccak256, type Hex } from 'viem'
import { aString } from '@krain/core'
import { ChainError } from '../errors.js'
import { compileSolidity } from './solc.js'

/** A compiled verifier. */
export type CompiledVerifier = {
  contractName: string
  /** Creation bytecode (no constructor arguments). */
  bytecode: Hex
  /** Runtime bytecode. */
  deployedBytecode: Hex
  /** keccak256 of the runtime bytecode (what `EXTCODEHASH` returns once deployed). */
  deployedBytecodeHash: Hex
  solcVersion: string
}

const INTERFACE = ['uint256[2]', 'uint256[2][2]', 'uint256[2]', 'uint256[3]'] as const

type AbiFunction = { type?: unknown; name?: unknown; inputs?: { type?: unknown }[]; outputs?: { type?: unknown }[] }

/** Whether an ABI has Krain's `verifyProof(uint256[2], uint256[2][2], uint256[2], uint256[3]) → bool`. */
export function hasVerifierInterface(abi: readonly unknown[]): boolean {
  return abi.some((item) => {
    const f = item as AbiFunction
    return (
      f.type === 'function' &&
      f.name === 'verifyProof' &&
      f.inputs?.length === INTERFACE.length &&
      f.inputs.every((x, i) => x.type === INTERFACE[i]) &&
      f.outputs?.length === 1 &&
      f.outputs[0]!.type === 'bool'
    )
  })
}

/**
 * Compile verifier source code.
 *
 * @param solidity - the Solidity source (one contract with the verifier interface; others may sit beside it)
 * @returns its bytecode and runtime-code hash, compiled with the settings of `contracts/`
 * @throws ChainError `CHAIN_COMPILE_FAILED` when solc refuses it; `CHAIN_VERIFIER_INVALID` when no
 *   contract (or more than one) has the three-signal `verifyProof`
 * @example
 * ```ts
 * const { bytecode } = compileVerifier(await snarkjs.zKey.exportSolidityVerifier(zkey, templates))
 * ```
 */
export function compileVerifier(solidity: string): CompiledVerifier {
  const source = aString(solidity, 'solidity', 1 << 22)
  const out = compileSolidity({ 'Verifier.sol': source })
  const candidates = Object.entries(out.contracts?.['Verifier.sol'] ?? {}).filter(([, c]) => c.evm.bytecode.object.length > 0 && hasVerifierInterface(c.abi))
  if (candidates.length !== 1) {
    throw new ChainError('CHAIN_VERIFIER_INVALID', {
      shortMessage: `expected one contract with verifyProof(uint256[2], uint256[2][2], uint256[2], uint256[3]) returns (bool), found ${candidates.length}`,
      details: 'Krain verifiers have three public signals; generate the verifier with snarkjs from the circuit’s zkey',
    })
  }
  const [contractName, c] = candidates[0]!
  const deployedBytecode: Hex = `0x${c.evm.deployedBytecode.object}`
  return { contractName, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode, deployedBytecodeHash: keccak256(deployedBytecode), solcVersion: out.solcVersion }
}
