/**
 * @module benchmarks/registry-gas
 * Gas of InferenceRegistry on a real anvil, with real proofs from @krain/zk: register a model,
 * submit one proof, submit a batch proof of k inferences (MEASURED for each batch circuit that
 * exists: k = 8 and k = 13 today; other k are projected from the largest measured transaction and
 * labelled so), gas per inference. Anchor: a bare snarkjs Groth16 verifier called in its own transaction,
 * measured in the same run on the same proofs (≈ 207k + 7.2k per public input). Target:
 * ≤ 30,000 gas per inference at k ≥ 8.
 *
 * Gas is deterministic per calldata, so there is nothing to interleave; we still take the median
 * over distinct proofs (calldata zero bytes vary a little).
 */
import { breastCancerTask } from '@krain/models'
import { closeProvers, proveInference, proveInferenceBatch, randomSalt, toSolidityCalldata, type BatchCircuitName } from '@krain/zk'
import {
  createChainClient,
  deployContracts,
  groth16VerifierAbi,
  inferenceRegistryAbi,
  registerModel,
  startAnvil,
  submitInference,
  submitInferenceBatch,
  toGroth16Calldata,
  verifierCircuits,
  type ChainClient,
  type Groth16Calldata,
} from '@krain/chain'
import { encodeFunctionData, type Address } from 'viem'
import { writeResult, type Row } from './lib.js'

const TARGET_PER_INFERENCE = 30_000
const ANCHOR_NAME = 'bare snarkjs Groth16 verifier tx (3 public inputs)'

const median = (xs: bigint[]): number => {
  const s = xs.map(Number).sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Gas of a transaction that calls the verifier directly (explicit gas: estimateGas is wrong on it). */
async function bareVerifyGas(client: ChainClient, verifier: Address, cd: Groth16Calldata): Promise<bigint> {
  const wallet = client.walletClient!
  const data = encodeFunctionData({ abi: groth16VerifierAbi, functionName: 'verifyProof', args: [cd.a, cd.b, cd.c, cd.input] })
  const ok = await client.publicClient.readContract({ address: verifier, abi: groth16VerifierAbi, functionName: 'verifyProof', args: [cd.a, cd.b, cd.c, cd.input] })
  if (!ok) throw new Error('the anchor proof does not verify')
  const hash = await wallet.sendTransaction({ to: verifier, data, gas: 1_000_000n })
  return (await client.publicClient.waitForTransactionReceipt({ hash })).gasUsed
}

/** Point a model at another batch verifier (the registrant's `setBatchVerifier`). */
async function setBatchVerifier(client: ChainClient, registry: Address, model: bigint, verifier: Address, k: number): Promise<void> {
  const { request } = await client.publicClient.simulateContract({ account: client.walletClient!.account!, address: registry, abi: inferenceRegistryAbi, functionName: 'setBatchVerifier', args: [model, verifier, k] })
  const hash = await client.walletClient!.writeContract(request)
  const receipt = await client.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error('setBatchVerifier reverted')
}

export async function run(): Promise<void> {
  const anvil = await startAnvil()
  try {
    const client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
    const circuits = verifierCircuits()
    const batchSize = (c: string): number => Number(/_batch(\d+)$/.exec(c)?.[1] ?? 0)
    const batchCircuits = circuits.filter((c) => batchSize(c) > 0).sort((a, b) => batchSize(a) - batchSize(b))
    const deployed = await deployContracts({ client, circuits })
    const { model, test } = breastCancerTask()
    const rows: Row[] = []

    // ---- single proofs
    const singles = []
    for (let i = 0; i < 3; i++) singles.push(await proveInference({ model, input: test.x[i]!, salt: randomSalt() }))
    const batchCircuit = batchCircuits[0]
    const k = batchCircuit ? batchSize(batchCircuit) : 0
    const reg = await registerModel({
      client,
      registry: deployed.registry,
      modelCommitment: singles[0]!.modelCommitment,
      verifier: deployed.verifiers.inference_logistic!,
      ...(batchCircuit ? { batchVerifier: deployed.verifiers[batchCircuit]!, batchSize: k } : {}),
      metadataURI: 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
    })
    const anchorGas: bigint[] = []
    const submitGas: bigint[] = []
    for (const s of singles) {
      const cd = toGroth16Calldata(toSolidityCalldata(s.proof, s.publicSignals))
      anchorGas.push(await bareVerifyGas(client, deployed.verifiers.inference_logistic!, cd))
      submitGas.push((await submitInference({ client, registry: deployed.registry, calldata: cd })).gasUsed)
    }
    const anchor = median(anchorGas)
    const single = median(submitGas)

    rows.push({ metric: 'deploy InferenceRegistry', unit: 'gas', ours: Number(deployed.gasUsed.InferenceRegistry), anchor: null, anchorName: null, ratio: null, target: null, met: null })
    rows.push({ metric: 'deploy Groth16VerifierInferenceLogistic', unit: 'gas', ours: Number(deployed.gasUsed.Groth16VerifierInferenceLogistic), anchor: null, anchorName: null, ratio: null, target: null, met: null })
    rows.push({ metric: 'register model (with metadata URI, batch verifier)', unit: 'gas', ours: Number(reg.gasUsed), anchor: null, anchorName: null, ratio: null, target: null, met: null })
    rows.push({ metric: 'bare verifier tx (anchor itself; formula 207k + 7.2k × 3 = 228.6k)', unit: 'gas', ours: anchor, anchor: 228_600, anchorName: 'formula', ratio: Number((228_600 / anchor).toFixed(3)), target: null, met: null })
    rows.push({ metric: 'submit 1 proof (k = 1, verify + record + event)', unit: 'gas/inference', ours: single, anchor, anchorName: ANCHOR_NAME, ratio: Number((anchor / single).toFixed(3)), target: null, met: null, note: `+${single - anchor} gas over the bare verifier` })

    // ---- batch proofs: every batch circuit, measured (the model's batch verifier is switched with setBatchVerifier)
    const measured: { k: number; tx: number }[] = []
    for (const circuit of batchCircuits) {
      const kk = batchSize(circuit)
      if (circuit !== batchCircuit) await setBatchVerifier(client, deployed.registry, singles[0]!.modelCommitment, deployed.verifiers[circuit]!, kk)
      const batchGas: bigint[] = []
      for (let j = 0; j < 2; j++) {
        const rowsX = test.x.slice(20 + j * kk, 20 + (j + 1) * kk)
        const b = await proveInferenceBatch({ model, inputs: rowsX, salts: rowsX.map(() => randomSalt()), circuit: circuit as BatchCircuitName })
        batchGas.push((await submitInferenceBatch({ client, registry: deployed.registry, proof: b.proof, publicSignals: b.publicSignals })).gasUsed)
      }
      const batch = median(batchGas)
      const per = batch / kk
      measured.push({ k: kk, tx: batch })
      rows.push({ metric: `submit batch k = ${kk} (one proof, ${circuit}), whole tx`, unit: 'gas', ours: batch, anchor: anchor * kk, anchorName: `${kk} × ${ANCHOR_NAME}`, ratio: Number(((anchor * kk) / batch).toFixed(3)), target: null, met: null })
      rows.push({
        metric: `submit batch k = ${kk}: gas per inference`,
        unit: 'gas/inference',
        ours: Number(per.toFixed(1)),
        anchor,
        anchorName: ANCHOR_NAME,
        ratio: Number((anchor / per).toFixed(3)),
        target: Number((anchor / TARGET_PER_INFERENCE).toFixed(3)),
        met: per <= TARGET_PER_INFERENCE,
        note: `target ≤ ${TARGET_PER_INFERENCE} gas per inference; measured with ${circuit}`,
      })
    }
    if (measured.length > 0) {
      // The batch transaction's gas does not depend on k (three public inputs, one slot, one event):
      // per-inference gas at a k without a circuit follows from the largest measured transaction.
      const last = measured[measured.length - 1]!
      for (const kk of [4, 16].filter((x) => !measured.some((m) => m.k === x))) {
        const projected = last.tx / kk
        rows.push({
          metric: `batch k = ${kk}: gas per inference (PROJECTED from the k = ${last.k} tx; no ${kk}-row circuit built)`,
          unit: 'gas/inference',
          ours: Number(projected.toFixed(1)),
          anchor,
          anchorName: ANCHOR_NAME,
          ratio: Number((anchor / projected).toFixed(3)),
          target: kk >= 8 ? Number((anchor / TARGET_PER_INFERENCE).toFixed(3)) : null,
          met: kk >= 8 ? projected <= TARGET_PER_INFERENCE : null,
          note: 'projection, not a measurement',
        })
      }
    } else {
      rows.push({ metric: 'submit batch: no batch circuit artifacts yet', unit: 'gas', ours: Number.NaN, anchor: null, anchorName: null, ratio: null, target: null, met: null })
    }
    writeResult('registry-gas', rows)
  } finally {
    await anvil.stop()
    await closeProvers()
  }
}
