/**
 * @module generate-circuit
 * The circom source of a quantised network's circuit (and of its k-row batch circuit, see
 * `generateBatchCircuit`): one main component whose public signals
 * are `[output, modelCommitment, inputCommitment]` (the uniform verifier interface
 * `verifyProof(uint[2], uint[2][2], uint[2], uint[3])`), built from the templates of
 * `circuits/src/lib` (PackSigned, PoseidonChain, InputCommit, ArgMax, IsNonNegative,
 * ReluRescale, RescaleSigned/Unsigned).
 *
 * - `committed`: the weights and biases are private inputs `w<l>[out][in]`, `b<l>[out]`,
 *   range-checked and packed into `modelCommitment = PoseidonChain(pack(W_0) ‖ pack(b_0) ‖ …)`
 *   (for the 30-feature logistic and the 64-16-10 MLP this is exactly the shipped circuits'
 *   commitment); each product is one constraint.
 * - `public`: the integer weights are constants; each layer is a linear combination (no
 *   constraint), and `modelCommitment` is fixed to `publicModelCommitment(q)`.
 * Private inputs in both: the quantised input `x` and the `salt`.
 */
import { packedLength } from '../quantize/pack.js'
import { circuitId, circuitSpec, publicModelCommitment, type NetworkCircuitSpec } from './circuit-spec.js'
import type { QuantizedNetwork } from './quantize-network.js'

/** A generated circuit. */
export type GeneratedCircuit = { id: string; spec: NetworkCircuitSpec; source: string }

/**
 * A linear combination `constant + Σ row[i]·input[i]` accumulated into the var `name`, 16 terms a
 * statement: one long expression would nest too deeply for the compiler (circom2's WebAssembly
 * stack overflows on a 784-term sum).
 */
function linear(row: readonly bigint[], input: string, constant: bigint, name: string): string[] {
  const lines = [`var ${name} = ${constant};`]
  let terms: string[] = []
  const flush = (): void => {
    if (terms.length > 0) lines.push(`${name} += ${terms.join(' ')};`)
    terms = []
  }
  row.forEach((w, i) => {
    if (w === 0n) return
    const t = `${w < 0n ? -w : w}*${input}[${i}]`
    terms.push(terms.length === 0 ? (w < 0n ? `-${t}` : t) : w < 0n ? `- ${t}` : `+ ${t}`)
    if (terms.length === 16) flush()
  })
  flush()
  return lines
}

/** Internal: the lines that pin `modelCommitment` (Poseidon of the packed weights, or the public model's constant). */
function modelCommitLines(q: QuantizedNetwork, spec: NetworkCircuitSpec): string[] {
  const L: string[] = []
  const committed = spec.mode === 'committed'
  if (committed) {
    const total = spec.layers.reduce((s, l) => s + packedLength(l.inputs * l.outputs, l.weightBits) + packedLength(l.outputs, l.biasBits), 0)
    L.push(`    component mc = PoseidonChain(${total});`)
    let off = 0
    spec.layers.forEach((l, i) => {
      const mw = packedLength(l.inputs * l.outputs, l.weightBits)
      const mb = packedLength(l.outputs, l.biasBits)
      L.push(`    component pw${i} = PackSigned(${l.inputs * l.outputs}, ${l.weightBits});`, `    component pb${i} = PackSigned(${l.outputs}, ${l.biasBits});`)
      L.push(`    for (var o = 0; o < ${l.outputs}; o++) {`, `        for (var i = 0; i < ${l.inputs}; i++) pw${i}.in[o * ${l.inputs} + i] <== w${i}[o][i];`, `        pb${i}.in[o] <== b${i}[o];`, '    }')
      L.push(`    for (var j = 0; j < ${mw}; j++) mc.in[${off} + j] <== pw${i}.out[j];`, `    for (var j = 0; j < ${mb}; j++) mc.in[${off + mw} + j] <== pb${i}.out[j];`)
      off += mw + mb
    })
    L.push('    mc.out === modelCommitment;', '')
  } else {
    L.push(`    modelCommitment === ${publicModelCommitment(q)};`, '')
  }
  return L
}

/**
 * Internal: the lines that compute `out` from the signals `x` (and, `committed`, `w<l>`, `b<l>`):
 * every layer, its activation and rescaling, and the head. Shared by the single and the batch
 * circuits, so a batch row is checked exactly as a single inference.
 */
export function networkBody(q: QuantizedNetwork, spec: NetworkCircuitSpec): string[] {
  const L: string[] = []
  const committed = spec.mode === 'committed'
  spec.layers.forEach((l, li) => {
    const input = li === 0 ? 'x' : `a${li - 1}`
    const two = 1n << BigInt(l.biasShift)
    L.push(`    // layer ${li}: dense ${l.outputs}x${l.inputs}, ${l.activation}${l.shift > 0 ? `, rescaled by 2^${l.shift}` : ''}`)
    L.push(`    signal a${li}[${l.outputs}];`)
    const needsComponent = l.activation === 'relu' || l.rangeBits > 0
    if (needsComponent) L.push(`    component r${li}[${l.outputs}];`)
    if (l.activation === 'square') L.push(`    signal h${li}[${l.outputs}];`)
    if (l.activation === 'square' && l.shift > 0) L.push(`    signal s${li}[${l.outputs}];`)
    const act = (acc: string, o: string): string[] => {
      if (l.activation === 'relu') return [`r${li}[${o}] = ReluRescale(${l.rangeBits}, ${l.shift});`, `r${li}[${o}].in <== ${acc};`, `a${li}[${o}] <== r${li}[${o}].out;`]
      if (l.activation === 'square') {
        if (l.shift === 0) return [`h${li}[${o}] <== ${acc};`, `a${li}[${o}] <== h${li}[${o}] * h${li}[${o}];`]
        return [`h${li}[${o}] <== ${acc};`, `s${li}[${o}] <== h${li}[${o}] * h${li}[${o}];`, `r${li}[${o}] = RescaleUnsigned(${l.rangeBits}, ${l.shift});`, `r${li}[${o}].in <== s${li}[${o}];`, `a${li}[${o}] <== r${li}[${o}].out;`]
      }
      if (l.shift === 0) return [`a${li}[${o}] <== ${acc};`]
      return [`r${li}[${o}] = RescaleSigned(${l.rangeBits}, ${l.shift});`, `r${li}[${o}].in <== ${acc};`, `a${li}[${o}] <== r${li}[${o}].out;`]
    }
    if (committed) {
      L.push(`    signal p${li}[${l.outputs}][${l.inputs}];`)
      L.push(`    for (var o = 0; o < ${l.outputs}; o++) {`, `        var acc = b${li}[o]${two === 1n ? '' : ` * ${two}`};`)
      L.push(`        for (var i = 0; i < ${l.inputs}; i++) {`, `            p${li}[o][i] <== w${li}[o][i] * ${input}[i];`, `            acc += p${li}[o][i];`, '        }')
      for (const s of act('acc', 'o')) L.push(`        ${s}`)
      L.push('    }')
    } else {
      const ql = q.layers[li]!
      ql.weights.forEach((row, o) => {
        const acc = `acc${li}_${o}`
        for (const s of [...linear(row, input, ql.bias[o]! * two, acc), ...act(acc, String(o))]) L.push(`    ${s}`)
      })
    }
    L.push('')
  })
  const last = spec.layers.length - 1
  const outs = spec.layers[last]!.outputs
  if (spec.head === 'sign') L.push(`    component head = IsNonNegative(${spec.headBits});`, `    head.in <== a${last}[0];`, '    out <== head.out;')
  else if (spec.head === 'argmax') L.push(`    component head = ArgMax(${outs}, ${spec.headBits});`, `    for (var o = 0; o < ${outs}; o++) head.in[o] <== a${last}[o];`, '    out <== head.out;')
  else {
    L.push(`    // ${outs} outputs of ${spec.headBits} bits: out = sum_o (a[o] + 2^${spec.headBits - 1}) * 2^(${spec.headBits} o)`)
    L.push('    var packed = 0;', `    for (var o = 0; o < ${outs}; o++) packed += (a${last}[o] + 2 ** ${spec.headBits - 1}) * 2 ** (${spec.headBits} * o);`, '    out <== packed;')
  }
  return L
}

/**
 * Generate the circom main file of a quantised network.
 * @param q - the quantised network (see `quantizeNetwork`)
 * @param batch - rows per proof: the batch circuit of {@link generateBatchCircuit} (default: one inference)
 * @returns `{ id, spec, source }`
 * @example
 * ```ts
 * const { id, source } = generateCircuit(quantizeNetwork({ model, mode: 'committed', calibration }))
 * ```
 */
export function generateCircuit(q: QuantizedNetwork, batch?: number): GeneratedCircuit {
  if (batch !== undefined) return generateBatchCircuit(q, batch)
  const spec = circuitSpec(q)
  const id = circuitId(spec)
  const L: string[] = []
  const shape = [spec.inputs, ...spec.layers.map((l) => `${l.outputs}${l.activation === 'identity' ? '' : `(${l.activation})`}`)].join('-')
  L.push(`// GENERATED by @krain/zk generateCircuit (generator v${spec.generator}); do not edit.`)
  L.push(`// circuit ${id}: ${shape}, head ${spec.head}, ${spec.mode} weights.`)
  L.push(`// Public signals: [output, modelCommitment, inputCommitment].`)
  L.push('pragma circom 2.1.6;', '', 'include "network.circom";', '', 'template KrainNetwork() {')
  L.push('    signal output out;', '    signal input modelCommitment;', '    signal input inputCommitment;')
  const committed = spec.mode === 'committed'
  if (committed) {
    spec.layers.forEach((l, i) => L.push(`    signal input w${i}[${l.outputs}][${l.inputs}];`, `    signal input b${i}[${l.outputs}];`))
  }
  L.push(`    signal input x[${spec.inputs}];`, '    signal input salt;', '')
  L.push(...modelCommitLines(q, spec))
  L.push(`    component ic = InputCommit(${spec.inputs}, ${spec.inputBits});`, '    ic.x <== x;', '    ic.salt <== salt;', '    ic.out === inputCommitment;', '')
  L.push(...networkBody(q, spec))
  L.push('}', '', 'component main {public [modelCommitment, inputCommitment]} = KrainNetwork();', '')
  return { id, spec, source: L.join('\n') }
}

/**
 * The circom main file of a k-row batch circuit of a quantised network: one proof of k inferences
 * of one model. Public signals `[packedOutputs, modelCommitment, batchCommitment]`:
 * `packedOutputs = Σ output_r · 256^r` (one byte per row: a sign head's 0/1 or an argmax class),
 * `batchCommitment = PoseidonChain(inputCommitment_0, …, inputCommitment_{k−1})` (`commitBatch`)
 * with each `inputCommitment_r` the single circuit's. The weights are range-checked and committed
 * once; every row runs the single circuit's layers (`KrainRow`, the same checked quantisation and
 * range checks) on its own range-checked input. The verifier has the single circuit's interface,
 * so `InferenceRegistry.submitInferenceBatch` checks it as a model's batch verifier.
 * @param q - the quantised network (head `sign` or `argmax` with at most 256 classes)
 * @param k - rows per proof, 1..31 (the registry's `MAX_BATCH_SIZE`)
 * @returns `{ id, spec, source }` (`spec.batch = k`)
 * @throws {RangeError} when k is not an integer in 1..31
 * @throws {ZkUnsupportedModelError} for a regression head or an argmax over more than 256 classes
 */
export function generateBatchCircuit(q: QuantizedNetwork, k: number): GeneratedCircuit {
  const spec = circuitSpec(q, k)
  const id = circuitId(spec)
  const L: string[] = []
  const shape = [spec.inputs, ...spec.layers.map((l) => `${l.outputs}${l.activation === 'identity' ? '' : `(${l.activation})`}`)].join('-')
  const committed = spec.mode === 'committed'
  const weights = (decl: string): string[] => (committed ? spec.layers.flatMap((l, i) => [`    ${decl} w${i}[${l.outputs}][${l.inputs}];`, `    ${decl} b${i}[${l.outputs}];`]) : [])
  L.push(`// GENERATED by @krain/zk generateBatchCircuit (generator v${spec.generator}); do not edit.`)
  L.push(`// circuit ${id}: ${k} rows of ${shape}, head ${spec.head}, ${spec.mode} weights.`)
  L.push(`// Public signals: [packedOutputs = sum_r output_r * 256^r, modelCommitment, batchCommitment = PoseidonChain(inputCommitment_r)].`)
  L.push('pragma circom 2.1.6;', '', 'include "network.circom";', '')
  L.push('// One inference, exactly as the single circuit computes it (weights range-checked by the caller).')
  L.push('template KrainRow() {', '    signal output out;', ...weights('signal input'), `    signal input x[${spec.inputs}];`, '')
  L.push(...networkBody(q, spec))
  L.push('}', '', 'template KrainNetworkBatch() {', '    signal output out;', '    signal input modelCommitment;', '    signal input batchCommitment;')
  L.push(...weights('signal input'), `    signal input x[${k}][${spec.inputs}];`, `    signal input salt[${k}];`, '')
  L.push(...modelCommitLines(q, spec))
  L.push(`    component ic[${k}];`, `    component row[${k}];`, `    component chain = PoseidonChain(${k});`, '    var packed = 0;')
  L.push(`    for (var r = 0; r < ${k}; r++) {`)
  L.push(`        ic[r] = InputCommit(${spec.inputs}, ${spec.inputBits});`, '        ic[r].x <== x[r];', '        ic[r].salt <== salt[r];', '        chain.in[r] <== ic[r].out;')
  L.push('        row[r] = KrainRow();')
  if (committed) spec.layers.forEach((_, i) => L.push(`        row[r].w${i} <== w${i};`, `        row[r].b${i} <== b${i};`))
  L.push('        row[r].x <== x[r];', '        packed += row[r].out * 256 ** r;', '    }')
  L.push('    chain.out === batchCommitment;', '    out <== packed;', '}', '', 'component main {public [modelCommitment, batchCommitment]} = KrainNetworkBatch();', '')
  return { id, spec, source: L.join('\n') }
}
