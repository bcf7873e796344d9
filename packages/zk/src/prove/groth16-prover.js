/**
 * @module prove/groth16-prover
 * A Groth16 prover over BN254 that does snarkjs' `groth16.prove` arithmetic step for step, with
 * the per-call work that does not depend on the witness done once per proving key:
 * - the zkey is parsed once ({@link loadProvingKey}): header points decoded, the QAP coefficient
 *   table split into typed arrays, the point sections kept as views (no copy per proof);
 * - the QAP evaluation (`A·w`, `B·w`, `A∘B`) runs inside one WebAssembly instance of the bn128
 *   field code with the coefficients already in its memory (snarkjs loops in JavaScript with three
 *   buffer copies per coefficient: a third of its proving time on a 16k-constraint circuit);
 * - the FFTs and the five multi-exponentiations run on ffjavascript's shared curve threads, kept
 *   warm in `globalThis.curve_bn128` between proofs (ended by {@link terminateCurve}).
 * The proof and public signals have snarkjs' shapes (decimal strings) and verify with
 * `snarkjs.groth16.verify`.
 *
 * Plain JavaScript (with `groth16-prover.d.ts`): the prover worker imports it under every loader.
 */
import { WitnessCalculatorBuilder } from 'circom_runtime'
import { buildBn128 } from 'ffjavascript'

const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
const N8 = 32

/** Read a little-endian unsigned integer of `n` bytes. */
function leBigInt(u8, offset, n) {
  let v = 0n
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[offset + i])
  return v
}

/**
 * The sections of an iden3 binary file (`zkey`, `wtns`): magic, version, then `(type, size, data)`.
 * @returns a map from section type to `{ offset, size }` (the first section of each type)
 */
function readSections(u8, magic) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength)
  const tag = String.fromCharCode(u8[0], u8[1], u8[2], u8[3])
  if (u8.byteLength < 12 || tag !== magic) throw new Error(`not a ${magic} file`)
  const nSections = dv.getUint32(8, true)
  const sections = new Map()
  let p = 12
  for (let i = 0; i < nSections; i++) {
    if (p + 12 > u8.byteLength) throw new Error(`truncated ${magic} file`)
    const type = dv.getUint32(p, true)
    const size = Number(dv.getBigUint64(p + 4, true))
    p += 12
    if (p + size > u8.byteLength) throw new Error(`truncated ${magic} file (section ${type})`)
    if (!sections.has(type)) sections.set(type, { offset: p, size })
    p += size
  }
  return sections
}

function section(u8, sections, type, magic) {
  const s = sections.get(type)
  if (!s) throw new Error(`${magic} file without section ${type}`)
  return u8.subarray(s.offset, s.offset + s.size)
}

let curvePromise
let fieldPromise

/** ffjavascript's multi-threaded bn128 curve, built once and kept in `globalThis.curve_bn128`. */
export async function getCurve() {
  const g = globalThis
  if (g.curve_bn128) return g.curve_bn128
  curvePromise ??= buildBn128().finally(() => {
    curvePromise = undefined
  })
  return curvePromise
}

/**
 * A private instance of the bn128 field code (the same WebAssembly ffjavascript runs), with a
 * memory this module grows to hold one proof's QAP vectors.
 */
async function getField() {
  fieldPromise ??= (async () => {
    const single = await buildBn128(true)
    const module = await WebAssembly.compile(single.tm.code)
    const memory = new WebAssembly.Memory({ initial: 32 })
    const instance = await WebAssembly.instantiate(module, { env: { memory } })
    const free = new Uint32Array(memory.buffer)[0]
    const x = instance.exports
    for (const f of ['frm_mul', 'frm_add', 'qap_joinABC', 'frm_batchFromMontgomery']) if (typeof x[f] !== 'function') throw new Error(`bn128 wasm without ${f}`)
    return { memory, x, base: (free + 63) & ~63 }
  })()
  return fieldPromise
}

/**
 * Parse a Groth16 zkey once for many proofs.
 * @param {Uint8Array} zkey - the zkey file's bytes (kept by reference: do not modify them afterwards)
 * @returns {Promise<ProvingKey>} the parsed key
 * @throws {Error} when the bytes are not a BN254 Groth16 zkey
 */
export async function loadProvingKey(zkey) {
  const u8 = zkey
  const secs = readSections(u8, 'zkey')
  const s1 = section(u8, secs, 1, 'zkey')
  if (s1.byteLength < 4 || new DataView(s1.buffer, s1.byteOffset, 4).getUint32(0, true) !== 1) throw new Error('zkey file is not groth16')
  const h = section(u8, secs, 2, 'zkey')
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength)
  let p = 0
  const n8q = dv.getUint32(p, true)
  p += 4
  const q = leBigInt(h, p, n8q)
  p += n8q
  const n8r = dv.getUint32(p, true)
  p += 4
  const r = leBigInt(h, p, n8r)
  p += n8r
  if (n8q !== N8 || n8r !== N8 || q !== BN254_Q || r !== BN254_R) throw new Error('zkey is not over BN254')
  const nVars = dv.getUint32(p, true)
  const nPublic = dv.getUint32(p + 4, true)
  const domainSize = dv.getUint32(p + 8, true)
  p += 12
  const power = Math.log2(domainSize)
  if (!Number.isInteger(power) || nPublic >= nVars) throw new Error('zkey header is inconsistent')
  const curve = await getCurve()
  const g1 = () => {
    const v = curve.G1.fromRprLEM(h.slice(p, p + 2 * N8), 0)
    p += 2 * N8
    return v
  }
  const g2 = () => {
    const v = curve.G2.fromRprLEM(h.slice(p, p + 4 * N8), 0)
    p += 4 * N8
    return v
  }
  const vk_alpha_1 = g1()
  const vk_beta_1 = g1()
  const vk_beta_2 = g2()
  g2() // gamma_2: verification only
  const vk_delta_1 = g1()
  const vk_delta_2 = g2()
  // Section 4: nCoef, then (matrix, constraint, signal, coefficient) per entry.
  const c = section(u8, secs, 4, 'zkey')
  const cdv = new DataView(c.buffer, c.byteOffset, c.byteLength)
  const nCoef = cdv.getUint32(0, true)
  const sCoef = 12 + N8
  if (c.byteLength !== 4 + nCoef * sCoef) throw new Error('zkey coefficient section has the wrong size')
  const dst = new Uint32Array(nCoef)
  const src = new Uint32Array(nCoef)
  const coefs = new Uint8Array(nCoef * N8)
  for (let i = 0, o = 4; i < nCoef; i++, o += sCoef) {
    const m = cdv.getUint32(o, true)
    const row = cdv.getUint32(o + 4, true)
    const sig = cdv.getUint32(o + 8, true)
    if (m > 1 || row >= domainSize || sig >= nVars) throw new Error('zkey coefficient out of range')
    dst[i] = (m * domainSize + row) * N8
    src[i] = sig * N8
    coefs.set(c.subarray(o + 12, o + 12 + N8), i * N8)
  }
  const points = (type, size) => {
    const s = section(u8, secs, type, 'zkey')
    if (s.byteLength !== size) throw new Error(`zkey section ${type} has the wrong size`)
    return s
  }
  return {
    nVars,
    nPublic,
    domainSize,
    power,
    vk_alpha_1,
    vk_beta_1,
    vk_beta_2,
    vk_delta_1,
    vk_delta_2,
    coefs,
    dst,
    src,
    A: points(5, nVars * 2 * N8),
    B1: points(6, nVars * 2 * N8),
    B2: points(7, nVars * 4 * N8),
    C: points(8, (nVars - nPublic - 1) * 2 * N8),
    H: points(9, domainSize * 2 * N8),
  }
}

/**
 * The witness of a `.wtns` file (circom_runtime's `calculateWTNSBin`), checked against the key.
 * @returns the witness values, 32 bytes each, little-endian, standard form
 */
function witnessOf(pk, wtns) {
  const secs = readSections(wtns, 'wtns')
  const h = section(wtns, secs, 1, 'wtns')
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength)
  const n8 = dv.getUint32(0, true)
  if (n8 !== N8 || leBigInt(h, 4, n8) !== BN254_R) throw new Error('Curve of the witness does not match the curve of the proving key')
  const nWitness = dv.getUint32(4 + n8, true)
  if (nWitness !== pk.nVars) throw new Error(`Invalid witness length. Circuit: ${pk.nVars}, witness: ${nWitness}`)
  const w = section(wtns, secs, 2, 'wtns')
  if (w.byteLength !== nWitness * N8) throw new Error('wtns witness section has the wrong size')
  return w
}

/** `A·w`, `B·w` (Montgomery form) and their product, evaluated in the private field instance. */
async function qap(pk, witness) {
  const { memory, x, base } = await getField()
  const dom = pk.domainSize * N8
  const pW = base
  const pCoef = pW + witness.byteLength
  const pAB = pCoef + pk.coefs.byteLength // A then B, dom bytes each
  const pC = pAB + 2 * dom
  const pT = pC + dom
  const need = pT + N8
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536))
  const u8 = new Uint8Array(memory.buffer)
  u8.set(witness, pW)
  u8.set(pk.coefs, pCoef)
  u8.fill(0, pAB, pC)
  const { dst, src } = pk
  const mul = x.frm_mul
  const add = x.frm_add
  for (let i = 0, pc = pCoef; i < dst.length; i++, pc += N8) {
    mul(pc, pW + src[i], pT)
    const o = pAB + dst[i]
    add(o, pT, o)
  }
  for (let i = 0; i < dom; i += N8) mul(pAB + i, pAB + dom + i, pC + i)
  return [u8.slice(pAB, pAB + dom), u8.slice(pAB + dom, pC), u8.slice(pC, pC + dom)]
}

/** `(A_odd·B_odd − C_odd)` out of Montgomery form, in the private field instance. */
async function joinABC(a, b, c) {
  const { memory, x, base } = await getField()
  const n = a.byteLength / N8
  const need = base + 4 * a.byteLength
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536))
  const u8 = new Uint8Array(memory.buffer)
  const [pa, pb, pc, po] = [base, base + a.byteLength, base + 2 * a.byteLength, base + 3 * a.byteLength]
  u8.set(a, pa)
  u8.set(b, pb)
  u8.set(c, pc)
  x.qap_joinABC(pa, pb, pc, n, po)
  x.frm_batchFromMontgomery(po, n, po)
  return u8.slice(po, po + a.byteLength)
}

const decimal = (v) => (typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? v.map(decimal) : v)

/**
 * Prove with a parsed key and a computed witness.
 * @param {ProvingKey} pk - from {@link loadProvingKey}
 * @param {Uint8Array} wtns - a `.wtns` file's bytes (circom_runtime `calculateWTNSBin`)
 * @returns {Promise<{ proof: object, publicSignals: string[] }>} as `snarkjs.groth16.prove`
 * @throws {Error} when the witness does not fit the key
 */
export async function proveWithKey(pk, wtns) {
  const witness = witnessOf(pk, wtns)
  const curve = await getCurve()
  const { Fr, G1, G2 } = curve
  const [aT, bT, cT] = await qap(pk, witness)
  const inc = pk.power === Fr.s ? Fr.shift : Fr.w[pk.power + 1]
  const odd = async (t) => Fr.fft(await Fr.batchApplyKey(await Fr.ifft(t, '', ''), Fr.e(1), inc), '', '')
  const [aO, bO, cO] = await Promise.all([odd(aT), odd(bT), odd(cT)])
  const h = await joinABC(aO, bO, cO)
  const [piA, pib1, piB, piC, resH] = await Promise.all([
    G1.multiExpAffine(pk.A, witness),
    G1.multiExpAffine(pk.B1, witness),
    G2.multiExpAffine(pk.B2, witness),
    G1.multiExpAffine(pk.C, witness.subarray((pk.nPublic + 1) * N8)),
    G1.multiExpAffine(pk.H, h),
  ])
  const r = Fr.random()
  const s = Fr.random()
  let pi_a = G1.add(G1.add(piA, pk.vk_alpha_1), G1.timesFr(pk.vk_delta_1, r))
  const pi_b = G2.add(G2.add(piB, pk.vk_beta_2), G2.timesFr(pk.vk_delta_2, s))
  const b1 = G1.add(G1.add(pib1, pk.vk_beta_1), G1.timesFr(pk.vk_delta_1, s))
  let pi_c = G1.add(piC, resH)
  pi_c = G1.add(pi_c, G1.timesFr(pi_a, s))
  pi_c = G1.add(pi_c, G1.timesFr(b1, r))
  pi_c = G1.add(pi_c, G1.timesFr(pk.vk_delta_1, Fr.neg(Fr.mul(r, s))))
  const publicSignals = []
  for (let i = 1; i <= pk.nPublic; i++) publicSignals.push(leBigInt(witness, i * N8, N8).toString())
  pi_a = G1.toAffine(pi_a)
  const proof = {
    pi_a: decimal(G1.toObject(pi_a)),
    pi_b: decimal(G2.toObject(G2.toAffine(pi_b))),
    pi_c: decimal(G1.toObject(G1.toAffine(pi_c))),
    protocol: 'groth16',
    curve: 'bn128',
  }
  return { proof, publicSignals }
}

/**
 * A circuit ready to prove: its witness calculator (circom's WebAssembly, compiled once) and its
 * parsed proving key.
 * @param {Uint8Array} wasm - the circuit's `.wasm` bytes
 * @param {Uint8Array} zkey - its `.zkey` bytes (kept by reference)
 * @returns {Promise<LoadedCircuit>}
 */
export async function loadCircuit(wasm, zkey) {
  const [calculator, pk] = await Promise.all([WitnessCalculatorBuilder(wasm), loadProvingKey(zkey)])
  return { calculator, pk, queue: Promise.resolve() }
}

/**
 * The `.wtns` bytes of `input`. A calculator instance holds one witness at a time and yields
 * between computing and reading it, so calls on one circuit run one after the other.
 * @throws {Error} when the input does not satisfy the circuit (its `assert`s or signal sizes)
 */
export function witnessBytes(circuit, input) {
  const run = circuit.queue.then(() => circuit.calculator.calculateWTNSBin(input, true))
  circuit.queue = run.then(
    () => undefined,
    () => undefined,
  )
  return run
}

/**
 * Compute the witness of `input` and prove it: `snarkjs.groth16.fullProve` on a loaded circuit.
 * @param {LoadedCircuit} circuit - from {@link loadCircuit}
 * @param {object} input - the circuit's input signals
 * @returns {Promise<{ proof: object, publicSignals: string[] }>}
 */
export async function proveCircuit(circuit, input) {
  return proveWithKey(circuit.pk, await witnessBytes(circuit, input))
}

/** End the shared curve's threads (the next proof starts new ones). */
export async function terminateCurve() {
  const g = globalThis
  const c = g.curve_bn128
  if (c) await c.terminate()
}
