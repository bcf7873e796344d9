/**
 * @module run/run-exact
 * Executors for BFV and Paillier plans. Layout: one ciphertext "cell" per vector element (or one
 * for a scalar). BFV cells are SIMD over the samples of a batch (slot k = sample k, exact integers
 * modulo the plan's plaintext modulus); Paillier cells hold one sample, in fixed point: a value is
 * `m / 2^(F·k)` where a plaintext scaling by a non-integer adds one to `k` and an integer one keeps
 * it, so a program on integers stays exact. `sum`, `dot` and broadcasts are cell additions (no
 * rotations). The evaluation uses only public operations: BFV's evaluator with the holder's
 * relinearisation keys, Paillier's public key.
 */
import { add as pAdd, addPlain as pAddPlain, createBfvClient, decodeSigned, decrypt as pDecrypt, encodeSigned, encrypt as pEncrypt, generateKeyPair, mulPlain as pMulPlain, negate as pNegate, sub as pSub, type BfvClient, type BfvVector, type PaillierCiphertext, type PaillierKeyPair } from '@krain/he'
import { ContractInputError, ContractOutputBoundError, ContractUnsupportedError } from '../errors.js'
import type { CompiledContract } from '../compile/compile-contract.js'
import type { Expr } from '../syntax/ast.js'
import { checkInputValue, map, zip, type PlainValue } from './values.js'

type Cell = BfvVector | PaillierCiphertext
/** An encrypted value: its cells and (Paillier) its fixed-point exponent. */
type EncVal = { cells: Cell[]; k: number; length: number }
type Val = { enc: EncVal } | { plain: PlainValue }

/** A batch encrypted for a BFV or Paillier plan (cells per encrypted input). */
export type ExactBatch = { count: number; inputs: Record<string, Cell[][]> }

/** Key holder and executor of a BFV or Paillier plan (in-process; dispose it). */
export class ExactContractClient implements Disposable {
  readonly compiled: CompiledContract
  readonly bfv: BfvClient | undefined
  readonly paillier: PaillierKeyPair | undefined
  readonly fractionBits: number
  /** @internal use {@link createExactContractClient} */
  constructor(compiled: CompiledContract, bfv: BfvClient | undefined, paillier: PaillierKeyPair | undefined) {
    this.compiled = compiled
    this.bfv = bfv
    this.paillier = paillier
    this.fractionBits = compiled.plan.paillier?.fractionBits ?? 0
  }

  /** Samples per batch (BFV: the slot count; Paillier: one). */
  get samplesPerBatch(): number {
    return this.bfv ? this.bfv.slotCount : 1
  }

  #encryptNumber(x: number): PaillierCiphertext {
    const pk = this.paillier!.publicKey
    return pEncrypt(pk, encodeSigned(pk, BigInt(Math.round(x * 2 ** this.fractionBits))))
  }

  /**
   * Encrypt rows of encrypted-input values into batches.
   * @throws {ContractInputError} missing, mis-sized or out-of-range values
   */
  encryptInputs(rows: Record<string, PlainValue>[]): ExactBatch[] {
    if (!Array.isArray(rows) || rows.length === 0) throw new TypeError('"rows" expected a non-empty array')
    const enc = this.compiled.program.inputs.filter((i) => i.enc)
    const per = this.samplesPerBatch
    const out: ExactBatch[] = []
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per)
      const inputs: Record<string, Cell[][]> = {}
      for (const i of enc) {
        const values = chunk.map((row, k) => {
          if (!row || typeof row !== 'object' || !(i.name in row)) throw new ContractInputError({ shortMessage: `rows[${start + k}] lacks input "${i.name}"` })
          const v = checkInputValue(i, row[i.name], `rows[${start + k}].`)
          return typeof v === 'number' ? [v] : v
        })
        const width = values[0]!.length
        inputs[i.name] = [Array.from({ length: width }, (_, e) => (this.bfv ? this.bfv.encrypt(values.map((v) => v[e]!)) : this.#encryptNumber(values[0]![e]!)))]
      }
      out.push({ count: chunk.length, inputs })
    }
    return out
  }

  /**
   * Evaluate the contract on one batch (public operations only).
   * @returns encrypted outputs (cells and exponent) and plain outputs
   * @throws {ContractUnsupportedError} a cancellation (x − x) the scheme cannot return as a ciphertext
   */
  run(batch: ExactBatch, plain: Record<string, PlainValue> = {}): { outputs: Record<string, EncVal>; plain: Record<string, PlainValue> } {
    try {
      return runExact(this, batch, plain)
    } catch (e) {
      const x = e as { code?: unknown; details?: unknown }
      if (x?.code === 'HE_SEAL' && typeof x.details === 'string' && x.details.includes('transparent')) throw new ContractUnsupportedError({ shortMessage: 'the program cancels an encrypted value out (e.g. x - x or 0 * x): the result would be a public constant', cause: e })
      throw e
    }
  }

  /**
   * Decrypt one batch's outputs into rows (exact for BFV; fixed point for Paillier).
   * @throws {ContractOutputBoundError} a value outside the output's range ± error bound
   */
  decryptOutputs(outputs: Record<string, EncVal>, count: number): Record<string, PlainValue>[] {
    const rows: Record<string, PlainValue>[] = Array.from({ length: count }, () => ({}))
    for (const o of this.compiled.plan.outputs.filter((x) => x.enc)) {
      const v = outputs[o.name]
      if (!v) throw new ContractInputError({ shortMessage: `missing output "${o.name}"` })
      const perCell = v.cells.map((c) => {
        if (this.bfv) return this.bfv.decrypt(c as BfvVector).map(Number)
        const { publicKey, privateKey } = this.paillier!
        const m = decodeSigned(publicKey, pDecrypt(privateKey, c as PaillierCiphertext))
        return [Number(m) / 2 ** (this.fractionBits * v.k)]
      })
      const lo = o.range[0] - o.errorBound
      const hi = o.range[1] + o.errorBound
      for (let s = 0; s < count; s++) {
        const vals = perCell.map((c) => c[s]!)
        for (const x of vals) if (!(x >= lo && x <= hi)) throw new ContractOutputBoundError({ shortMessage: `output "${o.name}" of row ${s} decrypted to ${x}, outside [${lo}, ${hi}] (range ± error bound)` })
        rows[s]![o.name] = o.length === 0 ? vals[0]! : vals
      }
    }
    return rows
  }

  dispose(): void {
    this.bfv?.dispose()
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Create the key holder and executor of a BFV or Paillier plan.
 * @throws {ContractUnsupportedError} for a CKKS plan (use `createContractClient`)
 * @example
 * ```ts
 * const c = await createExactContractClient(compileContract('input n: enc int in [0, 100]\noutput t = n * n + 3'))
 * const [b] = c.encryptInputs([{ n: 7 }]); c.decryptOutputs(c.run(b).outputs, 1) // [{ t: 52 }]
 * ```
 */
export async function createExactContractClient(compiled: CompiledContract): Promise<ExactContractClient> {
  const { plan } = compiled
  if (plan.scheme === 'bfv' && plan.bfv) return new ExactContractClient(compiled, await createBfvClient(plan.bfv), undefined)
  if (plan.scheme === 'paillier' && plan.paillier) return new ExactContractClient(compiled, undefined, await generateKeyPair({ bits: plan.paillier.bits }))
  throw new ContractUnsupportedError({ shortMessage: `createExactContractClient runs BFV and Paillier plans, not ${plan.scheme}`, details: 'use createContractClient and runContract for CKKS' })
}

function runExact(c: ExactContractClient, batch: ExactBatch, plainIn: Record<string, PlainValue>): { outputs: Record<string, EncVal>; plain: Record<string, PlainValue> } {
  const { program } = c.compiled
  const F = c.fractionBits
  const bfv = c.bfv
  const pk = c.paillier?.publicKey
  const n = batch.count
  const env = new Map<string, Val>()
  for (const i of program.inputs) {
    if (i.enc) {
      const cells = batch.inputs[i.name]?.[0]
      if (!cells) throw new ContractInputError({ shortMessage: `missing encrypted input "${i.name}"` })
      env.set(i.name, { enc: { cells, k: bfv ? 0 : 1, length: i.type.length } }) // Paillier inputs are encrypted as x·2^F
    } else {
      if (!(i.name in plainIn)) throw new ContractInputError({ shortMessage: `missing plain input "${i.name}"` })
      env.set(i.name, { plain: checkInputValue(i, plainIn[i.name]) })
    }
  }
  const fix = (x: number, k: number): bigint => BigInt(Math.round(x * 2 ** (F * k)))
  const cellAdd = (a: Cell, b: Cell): Cell => (bfv ? (a as BfvVector).add(b as BfvVector) : pAdd(a as PaillierCiphertext, b as PaillierCiphertext))
  const cellSub = (a: Cell, b: Cell): Cell => (bfv ? (a as BfvVector).sub(b as BfvVector) : pSub(a as PaillierCiphertext, b as PaillierCiphertext))
  const cellNeg = (a: Cell): Cell => (bfv ? (a as BfvVector).multiply(new Array<number>(n).fill(-1)) : pNegate(a as PaillierCiphertext))
  const cellAddPlain = (a: Cell, x: number, k: number): Cell => (bfv ? (a as BfvVector).add(new Array<number>(n).fill(x)) : pAddPlain(a as PaillierCiphertext, ((fix(x, k) % pk!.n) + pk!.n) % pk!.n))
  // w·a: an integer keeps the exponent, a non-integer (Paillier) adds one
  const cellScale = (a: Cell, w: number, integer: boolean): Cell => (bfv ? (a as BfvVector).multiply(new Array<number>(n).fill(w)) : pMulPlain(a as PaillierCiphertext, integer ? BigInt(w) : fix(w, 1)))
  const raise = (v: EncVal, k: number): EncVal => (k === v.k ? v : { ...v, k, cells: v.cells.map((x) => pMulPlain(x as PaillierCiphertext, 1n << BigInt(F * (k - v.k)))) })
  const cellOf = (v: EncVal, e: number) => v.cells[v.cells.length === 1 ? 0 : e]!
  const width = (a: { length: number }, b: { length: number }) => Math.max(a.length, b.length, 1)
  const plainAt = (p: PlainValue, e: number) => (typeof p === 'number' ? p : p[e]!)
  const lenOf = (p: PlainValue) => (typeof p === 'number' ? 0 : p.length)

  const addEnc = (a: EncVal, b: EncVal, sub: boolean): EncVal => {
    const k = Math.max(a.k, b.k)
    const A = raise(a, k)
    const B = raise(b, k)
    const w = width(a, b)
    return { k, length: Math.max(a.length, b.length), cells: Array.from({ length: w }, (_, e) => (sub ? cellSub : cellAdd)(cellOf(A, e), cellOf(B, e))) }
  }
  const addPlainTo = (a: EncVal, p: PlainValue, sign: number): EncVal => {
    const len = Math.max(a.length, lenOf(p))
    return { k: a.k, length: len, cells: Array.from({ length: Math.max(len, 1) }, (_, e) => cellAddPlain(cellOf(a, e), sign * plainAt(p, e), a.k)) }
  }
  const scaleBy = (a: EncVal, p: PlainValue): EncVal => {
    const all = typeof p === 'number' ? [p] : p
    const integer = bfv !== undefined || all.every(Number.isInteger)
    const len = Math.max(a.length, lenOf(p))
    return { k: integer ? a.k : a.k + 1, length: len, cells: Array.from({ length: Math.max(len, 1) }, (_, e) => cellScale(cellOf(a, e), plainAt(p, e), integer)) }
  }
  const sumCells = (a: EncVal): EncVal => ({ k: a.k, length: 0, cells: [a.cells.reduce((s, x) => cellAdd(s, x))] })
  const mulEnc = (a: EncVal, b: EncVal): EncVal => {
    if (!bfv) throw new ContractUnsupportedError({ shortMessage: 'Paillier cannot multiply two encrypted values' })
    const w = width(a, b)
    return { k: 0, length: Math.max(a.length, b.length), cells: Array.from({ length: w }, (_, e) => (cellOf(a, e) as BfvVector).multiply(cellOf(b, e) as BfvVector)) }
  }

  const ev = (e: Expr): Val => {
    switch (e.kind) {
      case 'num':
        return { plain: e.value }
      case 'vec':
        return { plain: e.items }
      case 'var':
        return env.get(e.name)!
      case 'neg': {
        const a = ev(e.a)
        return 'enc' in a ? { enc: { ...a.enc, cells: a.enc.cells.map(cellNeg) } } : { plain: map(a.plain, (x) => -x) }
      }
      case 'bin': {
        const a = ev(e.a)
        const b = ev(e.b)
        if (!('enc' in a) && !('enc' in b)) return { plain: zip(a.plain, b.plain, e.op === '+' ? (x, y) => x + y : e.op === '-' ? (x, y) => x - y : e.op === '*' ? (x, y) => x * y : (x, y) => x / y) }
        if (e.op === '/') return { enc: scaleBy((a as { enc: EncVal }).enc, map((b as { plain: PlainValue }).plain, (y) => 1 / y)) }
        if ('enc' in a && 'enc' in b) return { enc: e.op === '*' ? mulEnc(a.enc, b.enc) : addEnc(a.enc, b.enc, e.op === '-') }
        const [E, P, encLeft] = 'enc' in a ? [a.enc, (b as { plain: PlainValue }).plain, true] : [(b as { enc: EncVal }).enc, a.plain, false]
        if (e.op === '*') return { enc: scaleBy(E, P) }
        if (e.op === '+') return { enc: addPlainTo(E, P, 1) }
        if (encLeft) return { enc: addPlainTo(E, P, -1) }
        const neg = { ...E, cells: E.cells.map(cellNeg) }
        return { enc: addPlainTo(neg, P, 1) }
      }
      case 'pow': {
        const a = ev(e.a)
        if (!('enc' in a)) return { plain: map(a.plain, (x) => x ** e.n) }
        let acc = a.enc
        for (let i = 1; i < e.n; i++) acc = mulEnc(acc, a.enc)
        return { enc: acc }
      }
      case 'if': {
        const cnd = ev(e.cond) as { plain: PlainValue }
        return cnd.plain !== 0 ? ev(e.then) : ev(e.else)
      }
      case 'cmp': {
        const a = ev(e.a) as { plain: PlainValue }
        const b = ev(e.b) as { plain: PlainValue }
        return { plain: zip(a.plain, b.plain, e.op === '>' ? (x, y) => (x > y ? 1 : 0) : (x, y) => (x < y ? 1 : 0)) }
      }
      case 'call': {
        const a = ev(e.args[0]!)
        switch (e.fn) {
          case 'sum':
          case 'mean': {
            if (!('enc' in a)) {
              const v = a.plain as number[]
              const s = v.reduce((x, y) => x + y, 0)
              return { plain: e.fn === 'sum' ? s : s / v.length }
            }
            const s = sumCells(a.enc)
            return { enc: e.fn === 'sum' ? s : scaleBy(s, 1 / a.enc.length) }
          }
          case 'dot': {
            const b = ev(e.args[1]!)
            if (!('enc' in a) && !('enc' in b)) return { plain: (a.plain as number[]).reduce((s, x, i) => s + x * (b.plain as number[])[i]!, 0) }
            if ('enc' in a && 'enc' in b) return { enc: sumCells(mulEnc(a.enc, b.enc)) }
            const [E, P] = 'enc' in a ? [a.enc, (b as { plain: PlainValue }).plain] : [(b as { enc: EncVal }).enc, a.plain]
            return { enc: sumCells(scaleBy(E, P)) }
          }
          case 'poly': {
            const cs = (e.args[1] as Extract<Expr, { kind: 'vec' }>).items
            if (!('enc' in a)) return { plain: map(a.plain, (x) => cs.reduceRight((s, c) => s * x + c, 0)) }
            // Horner: ((c_d·x + c_{d−1})·x + …)·x + c_0
            let d = cs.length - 1
            while (d > 1 && cs[d] === 0) d--
            let acc = scaleBy(a.enc, cs[d]!)
            for (let i = d - 1; i >= 1; i--) acc = mulEnc(addPlainTo(acc, cs[i]!, 1), a.enc)
            return { enc: addPlainTo(acc, cs[0]!, 1) }
          }
          default:
            throw new ContractUnsupportedError({ shortMessage: `${e.fn} needs CKKS`, line: e.pos.line, column: e.pos.column })
        }
      }
    }
  }
  const outputs: Record<string, EncVal> = {}
  const plain: Record<string, PlainValue> = {}
  for (const s of program.ast.statements) {
    if (s.kind === 'input') continue
    const v = ev(s.expr)
    env.set(s.name, v)
    if (s.kind === 'output') {
      if ('enc' in v) outputs[s.name] = v.enc
      else plain[s.name] = v.plain
    }
  }
  return { outputs, plain }
}
