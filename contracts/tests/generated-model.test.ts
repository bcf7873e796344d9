/**
 * A model of a shape no shipped circuit has (20 features, 8 hidden ReLU units, 4 classes, committed
 * weights): its circuit is generated and set up by @krain/zk (`buildCircuit`, cached under the OS
 * temp dir like @krain/zk's own tests, so a warm run does not rebuild), its snarkjs verifier is
 * deployed at registration, and its proofs are recorded and re-verified on a real anvil.
 */
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainError, compileVerifier, createChainClient, deployContracts, getInference, registerModel, startAnvil, submitInference, verifierAddress, verifyOnChainAndOffChain, type Anvil, type ChainClient } from '@krain/chain'
import { buildCircuit, closeProvers, commitNetwork, proveNetwork, quantizeNetwork, randomSalt, type NetworkCircuit, type ProveNetworkReturnType } from '@krain/zk'
import { predictLabel } from '@krain/models'
import { syntheticNetwork, syntheticRows } from '../../packages/zk/tests/fixtures/synthetic.js'
import { calldataOf, withSignal } from './fixture.js'

const cacheDir = join(tmpdir(), 'krain-zk-test-circuits')
const model = syntheticNetwork([20, 8, 4], 'relu', 'argmax', 11)
const rows = syntheticRows(24, 20, 12)

let anvil: Anvil
let client: ChainClient
let registry: `0x${string}`
let circuit: NetworkCircuit
let modelCommitment: bigint
let proofs: ProveNetworkReturnType[]
let solidity: string
let expectedVerifier: `0x${string}`

beforeAll(async () => {
  const q = quantizeNetwork({ model, mode: 'committed', calibration: rows })
  circuit = await buildCircuit({ quantized: q, cacheDir })
  modelCommitment = await commitNetwork(q)
  proofs = [await proveNetwork({ circuit, quantized: q, input: rows[3]!, salt: randomSalt() }), await proveNetwork({ circuit, quantized: q, input: rows[4]!, salt: randomSalt() })]
  anvil = await startAnvil()
  client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
  registry = (await deployContracts({ client, circuits: [] })).registry
  solidity = readFileSync(circuit.verifierPath, 'utf8')
  expectedVerifier = verifierAddress(compileVerifier(solidity).bytecode) // loads solcjs
}, 300_000)

afterAll(async () => {
  await anvil?.stop()
  await closeProvers()
})

describe('a generated 20-8-4 ReLU model on-chain', () => {
  it('registers with the verifier its build generated, records a proof, and re-verifies it on-chain and off-chain', async () => {
    const reg = await registerModel({ client, registry, modelCommitment, verifier: { solidity }, metadataURI: `krain://circuits/${circuit.id}` })
    expect(reg.verifier).toBe(expectedVerifier)
    const r = proofs[0]!
    const out = await submitInference({ client, registry, proof: r.proof, publicSignals: r.publicSignals })
    expect(out.record).toMatchObject({ kind: 'single', modelCommitment, output: BigInt(r.output), inputCommitment: BigInt(r.publicSignals[2]) })
    expect(Number(out.record.output)).toBe(predictLabel(model, rows[3]!))
    expect(await getInference({ client, registry, id: out.id })).toEqual(out.record)
    // the verifier is not a shipped one: off-chain verification needs the circuit's key
    const unknown = await verifyOnChainAndOffChain({ client, registry, id: out.id }).catch((e: unknown) => e)
    expect((unknown as ChainError).code).toBe('CHAIN_UNKNOWN_VERIFIER')
    const v = await verifyOnChainAndOffChain({ client, registry, id: out.id, verificationKey: circuit.vkey })
    expect(v).toMatchObject({ circuit: null, verifier: reg.verifier, statementMatches: true, onChain: true, offChain: true, valid: true })
  }, 30_000)

  it('refuses a replay, a tampered output and a tampered proof with typed errors', async () => {
    const r = proofs[0]!
    const code = async (p: Promise<unknown>): Promise<string> => ((await p.then(() => null, (e: unknown) => e)) as ChainError | null)?.code ?? 'accepted'
    expect(await code(submitInference({ client, registry, proof: r.proof, publicSignals: r.publicSignals }))).toBe('CHAIN_PROOF_ALREADY_USED')
    const cd = calldataOf(proofs[1]!)
    expect(await code(submitInference({ client, registry, calldata: withSignal(cd, 0, (cd.input[0] + 1n) % 4n) }))).toBe('CHAIN_INVALID_PROOF')
    expect(await code(submitInference({ client, registry, calldata: { ...cd, c: cd.a } }))).toBe('CHAIN_INVALID_PROOF')
    const ok = await submitInference({ client, registry, calldata: cd })
    expect(ok.record.modelCommitment).toBe(modelCommitment)
  })
})
