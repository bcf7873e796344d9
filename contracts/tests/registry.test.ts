import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ChainError,
  compileVerifier,
  deployVerifier,
  getBatchVerifier,
  getInference,
  groth16VerifierAbi,
  inferenceId,
  inferenceRegistryAbi,
  registerModel,
  setBatchVerifier,
  setRegistrar,
  submitInference,
  submitInferenceBatch,
  verifierAddress,
  verifiers,
  verifyOnChainAndOffChain,
  watchInferences,
  type InferenceRecord,
} from '@krain/chain'
import { breastCancerTask, digitsTask, predictLabel, trainLogistic } from '@krain/models'
import { closeProvers, commitBatch, proveInference, proveInferenceBatch, randomSalt, SNARK_SCALAR_FIELD, verifyInference, verifyInferenceBatch, ZkMalformedProofError } from '@krain/zk'
import { toSolidityCalldata, type Groth16Proof, type SolidityCalldata } from '@krain/zk/groth16'
import { parseEventLogs, zeroAddress } from 'viem'
import { snarkjsVerifierSource } from '../scripts/lib/verifiers.js'
import { calldataOf, negateProof, negateSnarkjsProof, setUp, withSignal, type Fixture } from './fixture.js'

let f: Fixture

beforeAll(async () => {
  f = await setUp(3)
}, 120_000)

afterAll(async () => {
  await f?.anvil.stop()
  await closeProvers()
})

/** The custom error a rejected call decodes to. */
async function revertOf(p: Promise<unknown>): Promise<{ code: string; errorName: string | undefined }> {
  const e = await p.then(
    () => {
      throw new Error('expected a revert')
    },
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ChainError)
  return { code: (e as ChainError).code, errorName: (e as ChainError).errorName }
}

describe('InferenceRegistry: single proofs', () => {
  it('records a valid proof once, emits InferenceRecorded, and reads back the record', async () => {
    const r = f.singles[0]!
    const seen: InferenceRecord[] = []
    let resolveSeen: () => void = () => {}
    const gotEvent = new Promise<void>((res) => (resolveSeen = res))
    const fromBlock = (await f.stranger.publicClient.getBlockNumber()) + 1n
    const unwatch = watchInferences({
      client: f.stranger,
      registry: f.deployed.registry,
      fromBlock,
      onRecord: (rec) => {
        seen.push(rec)
        resolveSeen()
      },
    })
    try {
      const out = await submitInference({ client: f.owner, registry: f.deployed.registry, proof: r.proof, publicSignals: r.publicSignals })
      expect(out.id).toBe(inferenceId(r.modelCommitment, r.inputCommitment, BigInt(r.output)))
      expect(out.record).toMatchObject({ kind: 'single', modelCommitment: r.modelCommitment, inputCommitment: r.inputCommitment, output: BigInt(r.output), submitter: f.owner.account!.address, blockNumber: out.blockNumber })
      await gotEvent
      expect(seen.map((s) => s.id)).toEqual([out.id])
      const read = await getInference({ client: f.stranger, registry: f.deployed.registry, id: out.id })
      expect(read).toEqual(out.record)
      const [submitter, block, size] = await f.stranger.publicClient.readContract({ address: f.deployed.registry, abi: inferenceRegistryAbi, functionName: 'getRecord', args: [out.id] })
      expect([submitter, block, size]).toEqual([f.owner.account!.address, out.blockNumber, 1])
    } finally {
      unwatch()
    }
  })

  it('estimates gas correctly through the registry, unlike on the bare verifier', async () => {
    const cd = calldataOf(f.singles[1]!)
    const account = f.owner.account!
    // the bare verifier returns false instead of reverting, so the gas search settles where a precompile runs out of gas
    const bare = await f.owner.publicClient.estimateContractGas({ account, address: f.deployed.verifiers.inference_logistic!, abi: groth16VerifierAbi, functionName: 'verifyProof', args: [cd.a, cd.b, cd.c, cd.input] })
    const viaRegistry = await f.owner.publicClient.estimateContractGas({ account, address: f.deployed.registry, abi: inferenceRegistryAbi, functionName: 'submitInference', args: [cd.a, cd.b, cd.c, cd.input] })
    expect(bare).toBeLessThan(100_000n)
    expect(viaRegistry).toBeGreaterThan(228_000n)
  })

  it('refuses a replay of the same proof with InferenceRegistry__ProofAlreadyUsed', async () => {
    const r = f.singles[0]!
    expect(await revertOf(submitInference({ client: f.stranger, registry: f.deployed.registry, proof: r.proof, publicSignals: r.publicSignals }))).toEqual({ code: 'CHAIN_PROOF_ALREADY_USED', errorName: 'InferenceRegistry__ProofAlreadyUsed' })
  })

  it('refuses a re-randomised proof of a recorded statement (replay keyed on the record, not the bytes)', async () => {
    const cd = negateProof(calldataOf(f.singles[0]!))
    // the malleated proof is valid: the verifier accepts it
    expect(await f.stranger.publicClient.readContract({ address: f.deployed.verifiers.inference_logistic!, abi: groth16VerifierAbi, functionName: 'verifyProof', args: [cd.a, cd.b, cd.c, cd.input] })).toBe(true)
    expect((await revertOf(submitInference({ client: f.stranger, registry: f.deployed.registry, calldata: cd }))).errorName).toBe('InferenceRegistry__ProofAlreadyUsed')
  })

  it('refuses a tampered proof with InferenceRegistry__InvalidProof', async () => {
    const cd = calldataOf(f.singles[1]!)
    const offCurve: SolidityCalldata = { ...cd, a: [cd.a[0], cd.a[1] + 1n] }
    const swapped: SolidityCalldata = { ...cd, c: cd.a }
    for (const bad of [offCurve, swapped]) {
      expect(await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: bad }))).toEqual({ code: 'CHAIN_INVALID_PROOF', errorName: 'InferenceRegistry__InvalidProof' })
    }
  })

  it('refuses a tampered public signal (output, input commitment) with InferenceRegistry__InvalidProof', async () => {
    const r = f.singles[1]!
    const cd = calldataOf(r)
    for (const bad of [withSignal(cd, 0, 1n - BigInt(r.output)), withSignal(cd, 2, r.inputCommitment + 1n)]) {
      expect((await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: bad }))).errorName).toBe('InferenceRegistry__InvalidProof')
    }
  })

  it('refuses an unregistered model with InferenceRegistry__ModelNotRegistered', async () => {
    const cd = withSignal(calldataOf(f.singles[1]!), 1, 42n)
    expect(await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: cd }))).toEqual({ code: 'CHAIN_MODEL_NOT_REGISTERED', errorName: 'InferenceRegistry__ModelNotRegistered' })
  })

  it('refuses a public input ≥ the BN254 scalar field with InferenceRegistry__PublicInputNotInField', async () => {
    const r = f.singles[1]!
    // output + r is the same field element as output: a verifier that reduced mod r would accept it
    const cd = withSignal(calldataOf(r), 0, BigInt(r.output) + SNARK_SCALAR_FIELD)
    const e = (await submitInference({ client: f.owner, registry: f.deployed.registry, calldata: cd }).catch((x: unknown) => x)) as ChainError
    expect(e).toBeInstanceOf(ChainError)
    expect(e.errorName).toBe('InferenceRegistry__PublicInputNotInField')
    expect(e.args).toEqual([0n, BigInt(r.output) + SNARK_SCALAR_FIELD])
  })
})

describe('InferenceRegistry: registration', () => {
  it('refuses registration by a non-owner with InferenceRegistry__NotAuthorized, then allows a registrar', async () => {
    const params = { registry: f.deployed.registry, modelCommitment: 777n, verifier: f.deployed.verifiers.inference_logistic!, metadataURI: 'krain://m/777' }
    expect(await revertOf(registerModel({ client: f.stranger, ...params }))).toEqual({ code: 'CHAIN_NOT_AUTHORIZED', errorName: 'InferenceRegistry__NotAuthorized' })
    expect((await revertOf(setRegistrar({ client: f.stranger, registry: f.deployed.registry, account: f.stranger.account!.address, allowed: true }))).errorName).toBe('InferenceRegistry__NotOwner')
    await setRegistrar({ client: f.owner, registry: f.deployed.registry, account: f.stranger.account!.address, allowed: true })
    await registerModel({ client: f.stranger, ...params })
    const m = await f.owner.publicClient.readContract({ address: f.deployed.registry, abi: inferenceRegistryAbi, functionName: 'getModel', args: [777n] })
    expect(m).toMatchObject({ verifier: params.verifier, owner: f.stranger.account!.address, metadataURI: 'krain://m/777' })
    expect(await getBatchVerifier({ client: f.owner, registry: f.deployed.registry, modelCommitment: 777n, batchSize: 8 })).toBeNull()
    expect((await revertOf(registerModel({ client: f.owner, ...params }))).errorName).toBe('InferenceRegistry__ModelAlreadyRegistered')
  })

  it('refuses a verifier that is not a contract and an inconsistent batch size', async () => {
    const base = { client: f.owner, registry: f.deployed.registry, modelCommitment: 778n, metadataURI: 'x' }
    expect((await revertOf(registerModel({ ...base, verifier: f.stranger.account!.address }))).errorName).toBe('InferenceRegistry__NotAContract')
    const v = f.deployed.verifiers.inference_logistic!
    expect((await revertOf(registerModel({ ...base, verifier: v, batchVerifier: v, batchSize: 0 }))).errorName).toBe('InferenceRegistry__InvalidBatchSize')
    expect((await revertOf(registerModel({ ...base, verifier: v, batchVerifier: v, batchSize: 32 }))).errorName).toBe('InferenceRegistry__InvalidBatchSize')
  })
})

describe('InferenceRegistry: batch proofs', () => {
  it('records a batch of 8, emits InferenceBatchRecorded with the unpacked outputs, refuses its replay', async () => {
    const b = f.batch
    const out = await submitInferenceBatch({ client: f.stranger, registry: f.deployed.registry, proof: b.proof, publicSignals: b.publicSignals, size: 8 })
    expect(out.record).toMatchObject({ kind: 'batch', modelCommitment: f.modelCommitment, batchCommitment: b.batchCommitment, size: 8, submitter: f.stranger.account!.address })
    expect(out.record.outputs.map(Number)).toEqual(b.outputs)
    // a verifier holding the rows' input commitments can tie them to the record
    expect(await commitBatch(b.inputCommitments)).toBe(out.record.batchCommitment)
    expect(await getInference({ client: f.owner, registry: f.deployed.registry, id: out.id })).toEqual(out.record)
    expect((await revertOf(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, proof: b.proof, publicSignals: b.publicSignals, size: 8 }))).errorName).toBe('InferenceRegistry__ProofAlreadyUsed')
  })

  it('records a batch of 13 through the inference_logistic_batch13 verifier (verified off-chain first)', async () => {
    // A second breast_cancer model (stronger L2): its own commitment, registered with the 13-row batch verifier.
    const { train, test } = breastCancerTask()
    const model = trainLogistic({ x: train.x, y: train.y, l2: 1e-2 })
    const rows = test.x.slice(60, 73)
    const b = await proveInferenceBatch({ model, inputs: rows, salts: rows.map(() => randomSalt()) })
    expect(b.circuit).toBe('inference_logistic_batch13')
    expect(b.outputs).toEqual(rows.map((r) => predictLabel(model, r)))
    expect(await verifyInferenceBatch({ ...b, expectedOutputs: b.outputs, expectedBatchCommitment: b.batchCommitment, expectedModelCommitment: b.modelCommitment })).toBe(true)
    await registerModel({ client: f.owner, registry: f.deployed.registry, modelCommitment: b.modelCommitment, verifier: f.deployed.verifiers.inference_logistic!, batchVerifier: f.deployed.verifiers.inference_logistic_batch13!, batchSize: 13, metadataURI: 'krain://models/breast-cancer-logistic-l2' })
    const out = await submitInferenceBatch({ client: f.stranger, registry: f.deployed.registry, proof: b.proof, publicSignals: b.publicSignals, size: 13 })
    expect(out.record).toMatchObject({ kind: 'batch', modelCommitment: b.modelCommitment, batchCommitment: b.batchCommitment, size: 13 })
    expect(out.record.outputs.map(Number)).toEqual(b.outputs)
    const v = await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id: out.id })
    expect(v).toMatchObject({ circuit: 'inference_logistic_batch13', statementMatches: true, onChain: true, offChain: true, valid: true })

    // a verifier per (model, batch size): adding the 8-row verifier leaves the 13-row one, and the recorded batch, as they were
    const at = { client: f.owner, registry: f.deployed.registry, modelCommitment: b.modelCommitment }
    const v8 = f.deployed.verifiers.inference_logistic_batch8!
    const v13 = f.deployed.verifiers.inference_logistic_batch13!
    expect((await revertOf(setBatchVerifier({ ...at, client: f.stranger, batchVerifier: v8, batchSize: 8 }))).errorName).toBe('InferenceRegistry__NotAuthorized')
    const set8 = await setBatchVerifier({ ...at, batchVerifier: v8, batchSize: 8 })
    const events = await f.owner.publicClient.getContractEvents({ address: f.deployed.registry, abi: inferenceRegistryAbi, eventName: 'BatchVerifierSet', fromBlock: set8.blockNumber, toBlock: set8.blockNumber })
    expect(events.map((e) => e.args)).toEqual([{ modelCommitment: b.modelCommitment, batchVerifier: v8, batchSize: 8 }])
    expect(await getBatchVerifier({ ...at, batchSize: 13 })).toBe(v13)
    expect(await getBatchVerifier({ ...at, batchSize: 8 })).toBe(v8)
    expect(await getBatchVerifier({ ...at, batchSize: 5 })).toBeNull()
    expect(await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id: out.id })).toMatchObject({ onChain: true, valid: true })
    // the size picks the verifier: the 13-row proof sent as 8 rows meets the 8-row verifier; no verifier of 5 rows; 0 and 32 are no sizes
    const cd = calldataOf(b)
    expect((await revertOf(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: cd, size: 8 }))).errorName).toBe('InferenceRegistry__InvalidProof')
    const five = await revertOf(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: cd, size: 5 }))
    expect(five).toEqual({ code: 'CHAIN_BATCH_NOT_SUPPORTED', errorName: 'InferenceRegistry__BatchNotSupported' })
    await expect(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: cd, size: 32 })).rejects.toThrow(RangeError)
    expect((await revertOf(setBatchVerifier({ ...at, batchVerifier: null, batchSize: 0 }))).errorName).toBe('InferenceRegistry__InvalidBatchSize')
    expect((await revertOf(setBatchVerifier({ ...at, batchVerifier: v8, batchSize: 32 }))).errorName).toBe('InferenceRegistry__InvalidBatchSize')
    // removing the 8-row verifier, then replacing the 13-row one: the record is re-checked with the verifier that accepted it
    await setBatchVerifier({ ...at, batchVerifier: null, batchSize: 8 })
    expect(await getBatchVerifier({ ...at, batchSize: 8 })).toBeNull()
    expect((await revertOf(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: cd, size: 8 }))).errorName).toBe('InferenceRegistry__BatchNotSupported')
    await setBatchVerifier({ ...at, batchVerifier: v8, batchSize: 13 })
    expect(await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id: out.id })).toMatchObject({ verifier: v13, onChain: true, valid: true })
    await setBatchVerifier({ ...at, batchVerifier: v13, batchSize: 13 })
  }, 120_000)

  it('refuses a batch for a model without a batch verifier, and a batch proof sent as a single one', async () => {
    const cd = calldataOf(f.batch)
    expect(await revertOf(submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: withSignal(cd, 1, 777n), size: 8 }))).toEqual({ code: 'CHAIN_BATCH_NOT_SUPPORTED', errorName: 'InferenceRegistry__BatchNotSupported' })
    expect((await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: cd }))).errorName).toBe('InferenceRegistry__InvalidProof')
  })
})

describe('InferenceRegistry: a verifier per model', () => {
  afterAll(async () => {
    // snarkjs' zkey export starts its curve's worker threads
    await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } | null }).curve_bn128?.terminate()
  })

  it('compiles the Solidity snarkjs generates to the committed verifier’s bytecode, and reuses that deployment', async () => {
    const solidity = await snarkjsVerifierSource('inference_logistic')
    // no metadata hash in the bytecode: the contract name and the header comment do not change it
    expect(compileVerifier(solidity).deployedBytecodeHash).toBe(verifiers().inference_logistic!.deployedBytecodeHash)
    const v = await deployVerifier({ client: f.stranger, solidity })
    expect(v).toMatchObject({ address: f.deployed.verifiers.inference_logistic, reused: true, deterministic: true, hash: null, gasUsed: 0n })
    expect(v.codeHash).toBe(verifiers().inference_logistic!.deployedBytecodeHash)
  }, 60_000) // snarkjs reads the zkey, solcjs loads

  it('registers the digits MLP with its own verifier deployed from source, records its proof, refuses the logistic model’s proof under it and its proof under the logistic model', async () => {
    const { model, test } = digitsTask()
    const r = await proveInference({ model, input: test.x[0]!, salt: randomSalt() })
    const solidity = await snarkjsVerifierSource('inference_mlp')
    const expected = verifierAddress(compileVerifier(solidity).bytecode)
    expect(await f.owner.publicClient.getCode({ address: expected })).toBeUndefined()
    const reg = await registerModel({ client: f.owner, registry: f.deployed.registry, modelCommitment: r.modelCommitment, verifier: { solidity }, metadataURI: 'krain://models/digits-mlp' })
    expect(reg.verifier).toBe(expected)
    expect(await f.owner.publicClient.getCode({ address: expected })).toMatch(/^0x[0-9a-f]+$/)
    const m = await f.owner.publicClient.readContract({ address: f.deployed.registry, abi: inferenceRegistryAbi, functionName: 'getModel', args: [r.modelCommitment] })
    expect(m).toMatchObject({ verifier: expected, owner: f.owner.account!.address, metadataURI: 'krain://models/digits-mlp' })
    const receipt = await f.owner.publicClient.getTransactionReceipt({ hash: reg.hash })
    const events = parseEventLogs({ abi: inferenceRegistryAbi, logs: receipt.logs, eventName: 'ModelRegistered' })
    expect(events.map((e) => e.args)).toEqual([{ modelCommitment: r.modelCommitment, owner: f.owner.account!.address, verifier: expected, batchVerifier: zeroAddress, batchSize: 0, metadataURI: 'krain://models/digits-mlp' }])

    const out = await submitInference({ client: f.stranger, registry: f.deployed.registry, proof: r.proof, publicSignals: r.publicSignals })
    expect(out.record).toMatchObject({ kind: 'single', modelCommitment: r.modelCommitment, inputCommitment: r.inputCommitment, output: BigInt(r.output), submitter: f.stranger.account!.address })
    expect(r.output).toBe(test.y[0])
    // model A's proof naming model B is checked by B's verifier, which refuses it (and the other way round)
    const aUnderB = withSignal(calldataOf(f.singles[1]!), 1, r.modelCommitment)
    expect(await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: aUnderB }))).toEqual({ code: 'CHAIN_INVALID_PROOF', errorName: 'InferenceRegistry__InvalidProof' })
    const bUnderA = withSignal(calldataOf(r), 1, f.modelCommitment)
    expect(await revertOf(submitInference({ client: f.owner, registry: f.deployed.registry, calldata: bUnderA }))).toEqual({ code: 'CHAIN_INVALID_PROOF', errorName: 'InferenceRegistry__InvalidProof' })
  }, 90_000)
})

describe('verifiers: off-chain and on-chain agree', () => {
  it('on a table of good and bad proofs', async () => {
    const single = f.singles[2]!
    const batch = f.batch
    const singleVerifier = f.deployed.verifiers.inference_logistic!
    const batchVerifier = f.deployed.verifiers.inference_logistic_batch8!
    const signals = (xs: readonly (string | bigint)[], i: number, v: bigint): string[] => xs.map((x, j) => String(j === i ? v : x))
    const out0 = BigInt(single.publicSignals[0])
    const p = single.proof
    // each row: the proof as snarkjs has it (checked off-chain) and the verifier calldata (checked on-chain)
    type Row = { name: string; proof: Groth16Proof; publicSignals: string[]; batch: boolean; expected: boolean; calldata?: SolidityCalldata }
    const table: Row[] = [
      { name: 'valid single proof', proof: p, publicSignals: single.publicSignals, batch: false, expected: true },
      { name: 're-randomised single proof', proof: negateSnarkjsProof(p), publicSignals: single.publicSignals, batch: false, expected: true },
      { name: 'valid batch proof', proof: batch.proof, publicSignals: batch.publicSignals, batch: true, expected: true },
      { name: 're-randomised batch proof', proof: negateSnarkjsProof(batch.proof), publicSignals: batch.publicSignals, batch: true, expected: true },
      { name: 'flipped output', proof: p, publicSignals: signals(single.publicSignals, 0, 1n - out0), batch: false, expected: false },
      { name: 'other model commitment', proof: p, publicSignals: signals(single.publicSignals, 1, single.modelCommitment + 1n), batch: false, expected: false },
      { name: 'other input commitment', proof: p, publicSignals: signals(single.publicSignals, 2, single.inputCommitment - 1n), batch: false, expected: false },
      { name: 'other packed outputs', proof: batch.proof, publicSignals: signals(batch.publicSignals, 0, BigInt(batch.publicSignals[0]) ^ 1n), batch: true, expected: false },
      { name: 'A off the curve', proof: { ...p, pi_a: [p.pi_a[0], String(BigInt(p.pi_a[1]) + 1n), '1'] }, publicSignals: single.publicSignals, batch: false, expected: false },
      { name: 'C replaced by A', proof: { ...p, pi_c: p.pi_a }, publicSignals: single.publicSignals, batch: false, expected: false },
      { name: 'B coordinates in the wrong order', proof: { ...p, pi_b: [[p.pi_b[0][1], p.pi_b[0][0]], [p.pi_b[1][1], p.pi_b[1][0]], p.pi_b[2]] }, publicSignals: single.publicSignals, batch: false, expected: false },
      { name: 'another proof’s A', proof: { ...p, pi_a: f.singles[1]!.proof.pi_a }, publicSignals: single.publicSignals, batch: false, expected: false },
      { name: 'batch proof on the single verifier', proof: batch.proof, publicSignals: batch.publicSignals, batch: false, expected: false },
      // output + r is the same field element: the off-chain parser refuses it as junk, the verifier rejects it
      { name: 'output + r (not a field element)', proof: p, publicSignals: signals(single.publicSignals, 0, out0 + SNARK_SCALAR_FIELD), batch: false, expected: false, calldata: withSignal(calldataOf(single), 0, out0 + SNARK_SCALAR_FIELD) },
    ]
    for (const t of table) {
      const cd = t.calldata ?? toSolidityCalldata(t.proof, t.publicSignals)
      const onChain = await f.stranger.publicClient.readContract({ address: t.batch ? batchVerifier : singleVerifier, abi: groth16VerifierAbi, functionName: 'verifyProof', args: [cd.a, cd.b, cd.c, cd.input] })
      const offChain = await (t.batch ? verifyInferenceBatch({ proof: t.proof, publicSignals: t.publicSignals }) : verifyInference({ circuit: 'inference_logistic', proof: t.proof, publicSignals: t.publicSignals })).catch((e: unknown) => {
        if (e instanceof ZkMalformedProofError) return false
        throw e
      })
      expect({ name: t.name, onChain, offChain }).toEqual({ name: t.name, onChain: t.expected, offChain: t.expected })
    }
  })
})

describe('verifyOnChainAndOffChain', () => {
  it('re-checks a recorded inference from its id alone (proof recovered from calldata)', async () => {
    const r = f.singles[2]!
    const { id } = await submitInference({ client: f.owner, registry: f.deployed.registry, proof: r.proof, publicSignals: r.publicSignals })
    const v = await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id })
    expect(v).toMatchObject({ circuit: 'inference_logistic', verifier: f.deployed.verifiers.inference_logistic, statementMatches: true, onChain: true, offChain: true, valid: true })
    expect(v.record).toMatchObject({ kind: 'single', output: BigInt(r.output), inputCommitment: r.inputCommitment })
  })

  it('re-checks a recorded batch', async () => {
    const { id } = await submitInferenceBatch({ client: f.owner, registry: f.deployed.registry, calldata: negateProof(calldataOf(f.batch)), size: 8 }).catch(async (e: unknown) => {
      // already recorded by the batch test when run in order: find its id instead
      if (e instanceof ChainError && e.code === 'CHAIN_PROOF_ALREADY_USED') return { id: e.args![0] as `0x${string}` }
      throw e
    })
    const v = await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id })
    expect(v).toMatchObject({ circuit: 'inference_logistic_batch8', statementMatches: true, onChain: true, offChain: true, valid: true })
  })

  it('reports an unknown id as not recorded', async () => {
    const v = await verifyOnChainAndOffChain({ client: f.stranger, registry: f.deployed.registry, id: `0x${'ab'.repeat(32)}` })
    expect(v).toMatchObject({ record: null, valid: false, onChain: false, offChain: false })
  })
})
