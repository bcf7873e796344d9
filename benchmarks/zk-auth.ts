/**
 * @module benchmarks/zk-auth
 * Anonymous membership (issue 16) with @krain/identity's circuit (commitment = Poseidon(secret),
 * lean-imt Poseidon tree, max depth 20, scoped nullifier, bound message):
 * - prove time of a depth-20 membership proof (a full 20-sibling Merkle path; the circuit hashes
 *   all 20 levels whatever the depth, so this is its worst and only case);
 * - off-chain verify time (snarkjs groth16.verify);
 * - on-chain gas of GroupRegistry.validateProof (root check + verifier + nullifier slot) on anvil.
 * Anchor: Semaphore v4's published figures (166–311 ms to prove on an M2 Pro; 288.8k gas for
 * validateProof), CITED, not measured: @semaphore-protocol/proof's artifacts (@zk-kit/artifacts,
 * a download from snark-artifacts) cannot be fetched on this offline machine.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { loadCircuit, proveCircuit, proveWithKey, witnessBytes } from '@krain/zk/groth16-prover'
import { createPublicClient, createWalletClient, http, type Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil } from '@krain/chain'
import { createIdentity, membershipArtifacts, membershipCalldata, membershipScope, poseidon, terminateIdentityCurves, toField, verifyMembershipProof, type MembershipProof } from '@krain/identity'
import { benchDir, compare, lowerIsBetterRow, timeIt, writeResult, type Row } from './lib.js'

const TARGET_PROVE_MS = 300
const TARGET_VERIFY_MS = 20
const TARGET_GAS = 250_000
const SEMAPHORE_PROVE_MS = 166
const SEMAPHORE_GAS = 288_800
const CITED = 'Semaphore v4 (cited figure, not measured here: @zk-kit/artifacts cannot be downloaded offline)'

// The artifacts are read once (as generateMembershipProof does); the bn128 curve stays warm between proofs.
const wasmBytes = new Uint8Array(readFileSync(membershipArtifacts.wasm))
const zkeyBytes = new Uint8Array(readFileSync(membershipArtifacts.zkey))

// Ours: the path generateMembershipProof takes (the circuit loaded once: witness calculator compiled,
// zkey parsed; @krain/zk's prover). Anchor: snarkjs.groth16.fullProve on the same preloaded bytes
// (what generateMembershipProof did before), measured interleaved in the same run.
const circuit = await loadCircuit(wasmBytes, zkeyBytes)
type Prover = (input: Record<string, unknown>) => Promise<{ proof: unknown; publicSignals: string[] }>
const oursProver: Prover = (input) => proveCircuit(circuit, input)
const snarkjsProver: Prover = (input) => snarkjs.groth16.fullProve(input as never, wasmBytes, zkeyBytes)

/** A depth-20 proof: random siblings and index, root computed with Poseidon. */
async function proveDepth20(prover: Prover, secret: bigint, commitment: bigint, index: number, siblings: bigint[], scopeTag: string, message: string): Promise<MembershipProof> {
  const scope = await membershipScope(1n, scopeTag)
  const { proof, publicSignals } = await prover({ secret, merkleProofLength: 20, merkleProofIndex: index, merkleProofSiblings: siblings, message: toField(message), scope })
  const p = proof as MembershipProof['points']
  return { groupId: '1', scopeTag, merkleRoot: publicSignals[0]!, merkleDepth: 20, nullifier: publicSignals[1]!, message: publicSignals[2]!, scope: publicSignals[3]!, points: { pi_a: p.pi_a, pi_b: p.pi_b, pi_c: p.pi_c } }
}

export async function run(): Promise<void> {
  const id = await createIdentity()
  const siblings: bigint[] = []
  for (let i = 0; i < 20; i++) siblings.push(await poseidon([BigInt(i + 1), 7n]))
  const index = 0b1010_0110_1001_0111_0011
  let node = id.commitment
  for (let i = 0; i < 20; i++) node = (index >> i) & 1 ? await poseidon([siblings[i]!, node]) : await poseidon([node, siblings[i]!])
  let n = 0
  const prove = (prover: Prover): Promise<MembershipProof> => proveDepth20(prover, id.secret, id.commitment, index, siblings, `epoch:${n++}`, 'bench request')
  // Cold: a fresh process's first proof (circuit load + curve threads + proof).
  await terminateIdentityCurves()
  const c0 = performance.now()
  const fresh = await loadCircuit(wasmBytes, zkeyBytes)
  const coldInput = { secret: id.secret, merkleProofLength: 20, merkleProofIndex: index, merkleProofSiblings: siblings, message: toField('cold'), scope: await membershipScope(1n, 'cold') }
  await proveCircuit(fresh, coldInput)
  const coldMs = performance.now() - c0
  // Steady state, interleaved with the anchor (A B / B A).
  const proofs: MembershipProof[] = []
  const tp = await compare({ ours: async () => { proofs.push(await prove(oursProver)) }, anchor: () => prove(snarkjsProver), samples: 9, warmup: 1 })
  if (proofs[0]!.merkleRoot !== node.toString()) throw new Error('depth-20 root mismatch')
  for (const p of proofs) if (!(await verifyMembershipProof(p))) throw new Error('a proof of ours does not verify')
  const tv = await timeIt(async () => { if (!(await verifyMembershipProof(proofs[0]!))) throw new Error('does not verify') }, 15, 2)
  // Where a proof of ours goes: witness (circom wasm) vs the Groth16 prover (QAP, FFTs, the five multiexps).
  const input = { secret: id.secret, merkleProofLength: 20, merkleProofIndex: index, merkleProofSiblings: siblings, message: toField('split'), scope: await membershipScope(1n, 'split') }
  const split = { witness: 0, prove: 0 }
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now()
    const w = await witnessBytes(circuit, input)
    const t1 = performance.now()
    await proveWithKey(circuit.pk, w)
    split.witness += t1 - t0
    split.prove += performance.now() - t1
  }
  const all = split.witness + split.prove
  const load = loadavg().map((l) => l.toFixed(2)).join(' ')
  const rows: Row[] = []
  rows.push({ ...lowerIsBetterRow('membership prove, depth 20', 'ms', tp.ours.median, SEMAPHORE_PROVE_MS, `${CITED}: 166–311 ms on M2 Pro`, null, `target ≤ ${TARGET_PROVE_MS} ms; 5383 constraints; steady state (circuit loaded, curve warm); median of ${tp.ours.samples.length}; load average ${load}`), oursRange: [Math.round(tp.ours.min), Math.round(tp.ours.max)], target: Number((SEMAPHORE_PROVE_MS / TARGET_PROVE_MS).toFixed(3)), met: tp.ours.median <= TARGET_PROVE_MS })
  rows.push({ ...lowerIsBetterRow('membership prove, depth 20: ours vs snarkjs fullProve', 'ms', tp.ours.median, tp.anchor.median, 'snarkjs 0.7.6 groth16.fullProve (same wasm/zkey bytes, preloaded)', null, `interleaved in this run; load average ${load}`), oursRange: [Math.round(tp.ours.min), Math.round(tp.ours.max)], anchorRange: [Math.round(tp.anchor.min), Math.round(tp.anchor.max)] })
  rows.push({ ...lowerIsBetterRow('membership prove, depth 20: cold (first proof of a process)', 'ms', coldMs, null, null, null, 'circuit load (wasm compile, zkey parse) + curve threads + one proof') })
  rows.push({ ...lowerIsBetterRow('membership prove: share in the Groth16 prover (QAP, FFTs, 5 multiexps)', '%', (100 * split.prove) / all, null, null, null, `witness ${((100 * split.witness) / all).toFixed(1)} %; the five wasm multiexps (ffjavascript's Pippenger: ~29 windows × 5,407 points each, ~2 µs per bn254 mixed addition on this 2-core EPYC) dominate, the QAP takes ~4 ms and the FFTs ~0.1–0.2 s; ≤ 300 ms here would need a ~4× faster multiexp (native prover, or batch-affine buckets in wasm), not a smaller circuit (5,407 wires, ~90 % in 20 Poseidon(2))`) })
  rows.push({ ...lowerIsBetterRow('membership verify (off-chain)', 'ms', tv.median, null, null, null, `target ≤ ${TARGET_VERIFY_MS} ms; snarkjs groth16.verify incl. scope recomputation`), oursRange: [Math.round(tv.min * 10) / 10, Math.round(tv.max * 10) / 10], target: TARGET_VERIFY_MS, met: tv.median <= TARGET_VERIFY_MS })

  // ---- on-chain gas
  const anvil = await startAnvil()
  try {
    const transport = http(anvil.rpcUrl)
    const pub = createPublicClient({ chain: foundry, transport })
    const w = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[0]! as Hex) })
    const art = (name: string): { abi: Abi; bytecode: Hex } => JSON.parse(readFileSync(join(benchDir, '..', 'contracts', 'artifacts', `${name}.json`), 'utf8')) as { abi: Abi; bytecode: Hex }
    const G = art('GroupRegistry'); const V = art('MembershipVerifier')
    const deploy = async (a: { abi: Abi; bytecode: Hex }): Promise<Hex> => (await pub.waitForTransactionReceipt({ hash: await w.deployContract({ abi: a.abi, bytecode: a.bytecode, account: w.account, chain: foundry }) })).contractAddress!
    const verifier = await deploy(V); const registry = await deploy(G)
    const tx = async (functionName: string, args: unknown[]): Promise<{ gas: bigint; input: Hex }> => {
      const { request } = await pub.simulateContract({ address: registry, abi: G.abi, functionName, args, account: w.account })
      const hash = await w.writeContract(request)
      const r = await pub.waitForTransactionReceipt({ hash })
      if (r.status !== 'success') throw new Error(`${functionName} reverted`)
      return { gas: r.gasUsed, input: (await pub.getTransaction({ hash })).input }
    }
    // group 1: the registry's embedded verifier (verifier 0); group 2: a separately deployed MembershipVerifier
    await tx('createGroup', [[w.account.address], '0x0000000000000000000000000000000000000000', 3600n])
    await tx('createGroup', [[w.account.address], verifier, 3600n])
    await tx('addMember', [1n, id.commitment, node])
    await tx('addMember', [2n, id.commitment, node])
    const median = (xs: bigint[]): number => xs.map(Number).sort((a, b) => a - b)[xs.length >> 1]!
    const embedded: bigint[] = []
    const external: bigint[] = []
    let input: Hex = '0x'
    for (const p of proofs.slice(0, 5)) {
      const c = membershipCalldata(p)
      const e = await tx('validateProof', [1n, c.a, c.b, c.c, c.signals])
      embedded.push(e.gas)
      input = e.input
      external.push((await tx('validateProof', [2n, c.a, c.b, c.c, c.signals])).gas)
    }
    const g = median(embedded)
    // The floor every Groth16 membership check with 4 public inputs and a fresh nullifier slot pays.
    const bytes = Buffer.from(input.slice(2), 'hex')
    const zeros = bytes.filter((x) => x === 0).length
    const calldata = 4 * zeros + 16 * (bytes.length - zeros)
    const floor = 21_000 + 181_000 + 4 * 6_150 + 22_100 + calldata
    rows.push({ ...lowerIsBetterRow('GroupRegistry.validateProof gas (tx total)', 'gas', g, SEMAPHORE_GAS, `${CITED}: validateProof 288.8k`), target: Number((SEMAPHORE_GAS / TARGET_GAS).toFixed(3)), met: g <= TARGET_GAS, note: `target ≤ ${TARGET_GAS}, NOT reachable with this circuit: the arithmetic floor is ${floor} = 21,000 tx + 181,000 pairing check (45,000 + 4 × 34,000) + 24,600 for 4 public inputs (ecMul 6,000 + ecAdd 150 each) + 22,100 fresh nullifier slot (cold read + 0→1 store) + ${calldata} calldata (${bytes.length} bytes); ours adds ${g - floor} (group slot 2,100 + root word 2,100 + verifier self-call, ABI copies, event). Under 250k needs fewer public inputs (a circuit that hashes root/message/scope into one, recomputed on-chain). Embedded verifier (group verifier 0); median of ${embedded.length}` })
    rows.push({ ...lowerIsBetterRow('GroupRegistry.validateProof gas, separately deployed verifier', 'gas', median(external), SEMAPHORE_GAS, `${CITED}: validateProof 288.8k`), note: 'a group naming a MembershipVerifier contract: one cold account access (2,600) more than the embedded one' })
  } finally {
    await anvil.stop()
    await terminateIdentityCurves()
  }
  writeResult('zk-auth', rows)
}

