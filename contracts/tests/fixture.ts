/**
 * Shared set-up of the registry tests: a real anvil started by the test, the contracts deployed
 * from the generated artifacts, the breast_cancer logistic model registered, and real proofs
 * from @krain/zk. Also the proof manipulations the tests use (re-randomisation, tampering).
 */
import { breastCancerTask } from '@krain/models'
import { BN254_BASE_FIELD, proveInference, proveInferenceBatch, randomSalt, type ProveInferenceBatchReturnType, type ProveInferenceReturnType } from '@krain/zk'
import { toSolidityCalldata, type Groth16Proof, type SolidityCalldata } from '@krain/zk/groth16'
import { createChainClient, deployContracts, registerModel, startAnvil, type Anvil, type ChainClient, type DeployContractsReturnType } from '@krain/chain'

export type Fixture = {
  anvil: Anvil
  owner: ChainClient
  stranger: ChainClient
  deployed: DeployContractsReturnType
  modelCommitment: bigint
  /** Single proofs of distinct test rows. */
  singles: ProveInferenceReturnType[]
  batch: ProveInferenceBatchReturnType
}

/** Start anvil, deploy, register the logistic model (with its batch verifier) and prove. */
export async function setUp(singleCount: number): Promise<Fixture> {
  const anvil = await startAnvil()
  try {
    const owner = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
    const stranger = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[1]! })
    // inference_mlp is left out: the digits model's registration deploys its verifier from source
    const deployed = await deployContracts({ client: owner, circuits: ['inference_logistic', 'inference_logistic_batch8', 'inference_logistic_batch13'] })
    const { model, test } = breastCancerTask()
    const singles: ProveInferenceReturnType[] = []
    for (let i = 0; i < singleCount; i++) singles.push(await proveInference({ model, input: test.x[i]!, salt: randomSalt() }))
    const batch = await proveInferenceBatch({ model, inputs: test.x.slice(10, 18), salts: Array.from({ length: 8 }, () => randomSalt()) })
    const modelCommitment = singles[0]!.modelCommitment
    await registerModel({
      client: owner,
      registry: deployed.registry,
      modelCommitment,
      verifier: deployed.verifiers.inference_logistic!,
      batchVerifier: deployed.verifiers.inference_logistic_batch8!,
      batchSize: 8,
      metadataURI: 'krain://models/breast-cancer-logistic',
    })
    return { anvil, owner, stranger, deployed, modelCommitment, singles, batch }
  } catch (e) {
    await anvil.stop()
    throw e
  }
}

/** Verifier calldata of a @krain/zk proof (through @krain/zk's own converter). */
export function calldataOf(r: { proof: Groth16Proof; publicSignals: readonly string[] }): SolidityCalldata {
  return toSolidityCalldata(r.proof, r.publicSignals)
}

/** The same re-randomisation as {@link negateProof}, on a snarkjs proof: (−A, −B, C). */
export function negateSnarkjsProof(p: Groth16Proof): Groth16Proof {
  const q = BN254_BASE_FIELD
  const neg = (x: string): string => ((q - BigInt(x)) % q).toString()
  return { ...p, pi_a: [p.pi_a[0], neg(p.pi_a[1]), p.pi_a[2]], pi_b: [p.pi_b[0], [neg(p.pi_b[1][0]), neg(p.pi_b[1][1])], p.pi_b[2]] }
}

/**
 * A re-randomised proof of the same statement: (−A, −B, C) satisfies the same pairing equation
 * (e(−A, −B) = e(A, B)), so it verifies, with different bytes. Replay protection keyed on the
 * proof bytes would accept it; the registry must not.
 */
export function negateProof(cd: SolidityCalldata): SolidityCalldata {
  const q = BN254_BASE_FIELD
  return {
    ...cd,
    a: [cd.a[0], (q - cd.a[1]) % q],
    b: [cd.b[0], [(q - cd.b[1][0]) % q, (q - cd.b[1][1]) % q]],
  }
}

/** Replace one public signal. */
export function withSignal(cd: SolidityCalldata, i: 0 | 1 | 2, v: bigint): SolidityCalldata {
  const input = [...cd.input] as [bigint, bigint, bigint]
  input[i] = v
  return { ...cd, input }
}
