import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { zeroAddress, type Address } from 'viem'
import {
  ChainError,
  compileVerifier,
  createChainClient,
  deployContracts,
  deployVerifier,
  inferenceRegistryAbi,
  registerModel,
  sendRegistryTransaction,
  startAnvil,
  submitInference,
  verifierAddress,
  type Anvil,
  type ChainClient,
} from '../src/index.js'

/** A contract with the verifier interface that rejects every proof (the deployment mechanics do not depend on the key). */
const rejecting = (name: string, comment = ''): string => `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
${comment}
contract ${name} {
    function verifyProof(uint[2] calldata, uint[2][2] calldata, uint[2] calldata, uint[3] calldata) external pure returns (bool) {
        return false;
    }
}
`
/** One that reverts instead of returning false: the registry must treat it as a rejection. */
const reverting = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Reverting {
    function verifyProof(uint[2] calldata, uint[2][2] calldata, uint[2] calldata, uint[3] calldata) external pure returns (bool) {
        revert("no");
    }
}
`
const calldata = { a: [1n, 2n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [1n, 42n, 3n] } as const

async function codeOf(e: Promise<unknown>): Promise<string> {
  const err = await e.then(
    () => 'resolved',
    (x: unknown) => x,
  )
  return err instanceof ChainError ? err.code : err instanceof Error ? err.name : String(err)
}

describe('compileVerifier', () => {
  it('gives the same bytecode whatever the contract name and comments (no metadata hash)', () => {
    const a = compileVerifier(rejecting('A'))
    const b = compileVerifier(rejecting('Groth16Verifier', '// generated from some.zkey'))
    expect(a.contractName).toBe('A')
    expect(b.deployedBytecodeHash).toBe(a.deployedBytecodeHash)
    expect(b.bytecode).toBe(a.bytecode)
  }, 60_000) // the first call loads solcjs

  it('refuses a source without the three-signal verifyProof with CHAIN_VERIFIER_INVALID', () => {
    const twoSignals = rejecting('Two').replace('uint[3] calldata', 'uint[2] calldata')
    expect(() => compileVerifier(twoSignals)).toThrow(expect.objectContaining({ code: 'CHAIN_VERIFIER_INVALID' }))
    expect(() => compileVerifier(rejecting('One') + rejecting('Other').split('\n').slice(3).join('\n'))).toThrow(expect.objectContaining({ code: 'CHAIN_VERIFIER_INVALID' }))
  })

  it('refuses Solidity that does not compile with CHAIN_COMPILE_FAILED, and a non-string with TypeError', () => {
    expect(() => compileVerifier('contract {')).toThrow(expect.objectContaining({ code: 'CHAIN_COMPILE_FAILED' }))
    expect(() => compileVerifier(42 as unknown as string)).toThrow(TypeError)
  })
})

describe('deployVerifier and the registry on anvil', () => {
  let anvil: Anvil
  let client: ChainClient
  let reader: ChainClient
  let registry: Address
  beforeAll(async () => {
    anvil = await startAnvil()
    client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
    reader = await createChainClient({ rpcUrl: anvil.rpcUrl })
    registry = (await deployContracts({ client, circuits: [] })).registry
  }, 60_000)
  afterAll(async () => {
    await anvil?.stop()
  })

  it('deploys once at the CREATE2 address of the bytecode, then reuses it (also from a read-only client)', async () => {
    const first = await deployVerifier({ client, solidity: rejecting('First') })
    const { bytecode, deployedBytecodeHash } = compileVerifier(rejecting('First'))
    expect(first).toMatchObject({ address: verifierAddress(bytecode), reused: false, deterministic: true, codeHash: deployedBytecodeHash })
    expect(first.gasUsed).toBeGreaterThan(0n)
    const again = await deployVerifier({ client: reader, solidity: rejecting('Renamed', '// another comment') })
    expect(again).toMatchObject({ address: first.address, reused: true, hash: null, gasUsed: 0n })
    const fromArtifact = await deployVerifier({ client, artifact: { bytecode } })
    expect(fromArtifact).toMatchObject({ address: first.address, reused: true })
  })

  it('refuses what it cannot deploy with typed errors', async () => {
    expect(await codeOf(deployVerifier({ client: reader, solidity: reverting }))).toBe('CHAIN_NO_ACCOUNT')
    expect(await codeOf(deployVerifier({ client, artifact: { bytecode: '0x6000', abi: [] } }))).toBe('CHAIN_VERIFIER_INVALID')
    expect(await codeOf(deployVerifier({ client, artifact: { bytecode: '0xzz' as `0x${string}` } }))).toBe('TypeError')
    expect(await codeOf(deployVerifier({ client, circuit: 'no_such_circuit' }))).toBe('RangeError')
  })

  it('registers a model with a verifier given as source; a verifier that returns false or reverts rejects the proof (InferenceRegistry__InvalidProof)', async () => {
    const reg = await registerModel({ client, registry, modelCommitment: 42n, verifier: { solidity: rejecting('M42') }, metadataURI: '' })
    expect(reg.verifier).toBe(verifierAddress(compileVerifier(rejecting('M42')).bytecode))
    expect(reg.batchVerifier).toBeNull()
    expect(await codeOf(submitInference({ client, registry, calldata }))).toBe('CHAIN_INVALID_PROOF')
    await registerModel({ client, registry, modelCommitment: 43n, verifier: { solidity: reverting }, metadataURI: '' })
    expect(await codeOf(submitInference({ client, registry, calldata: { ...calldata, input: [1n, 43n, 3n] } }))).toBe('CHAIN_INVALID_PROOF')
    expect(await codeOf(submitInference({ client, registry, calldata: { ...calldata, input: [1n, 44n, 3n] } }))).toBe('CHAIN_MODEL_NOT_REGISTERED')
  })

  it('checks registry calls against the Solidity signatures: wrong arguments do not compile, and throw TypeError at run time', async () => {
    const wrong = (): Promise<unknown> =>
      sendRegistryTransaction(client, registry, {
        abi: inferenceRegistryAbi,
        functionName: 'setRegistrar',
        // @ts-expect-error setRegistrar(address, bool) takes two arguments
        args: [zeroAddress],
      })
    expect(await codeOf(wrong())).toBe('TypeError')
    const ok = await sendRegistryTransaction(client, registry, { abi: inferenceRegistryAbi, functionName: 'setRegistrar', args: [client.account!.address, true] })
    expect(ok.gasUsed).toBeGreaterThan(21_000n)
  })
})
