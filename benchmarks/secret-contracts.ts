/**
 * @module benchmarks/secret-contracts
 * Secret contracts (issue 18): each README example's compiled server time (runContract on one
 * batch of ciphertexts) against the same computation written by hand in raw node-seal on the same
 * context and keys (interleaved), and compile time (target ≤ 200 ms). Hand-written anchors exist
 * for the cohort statistic and the dosage formula; the risk score and eligibility rows are ours only.
 */
import { loadEvaluationKeys } from '@krain/he'
import { compileContract, createContractClient, runContract } from '@krain/contracts-lang'
import { EXAMPLES } from '../packages/contracts-lang/tests/examples.js'
import { compare, lowerIsBetterRow, timeIt, writeResult, type Row } from './lib.js'

const ANCHOR = 'node-seal 6.0.3 by hand'

export async function run(): Promise<void> {
  const rows: Row[] = []
  for (const [name, src] of Object.entries(EXAMPLES)) {
    const t = await timeIt(() => compileContract(src), 9, 2)
    rows.push(lowerIsBetterRow(`${name}: compile`, 'ms', t.median, 200, 'target 200 ms', 1, 'anchor = the 200 ms budget'))
    const compiled = compileContract(src)
    const client = await createContractClient(compiled)
    const keys = await loadEvaluationKeys(client.evaluationKeyBundle(), { expectParams: compiled.plan.params })
    const per = compiled.plan.samplesPerCiphertext
    const encRows = Array.from({ length: per }, () => Object.fromEntries(compiled.plan.inputs.filter((i) => i.enc).map((i) => {
      const r = () => i.range[0] + Math.random() * (i.range[1] - i.range[0])
      return [i.name, i.type.length ? Array.from({ length: i.type.length }, r) : r()]
    })))
    const plain = Object.fromEntries(compiled.plan.inputs.filter((i) => !i.enc).map((i) => [i.name, i.type.length ? new Array(i.type.length).fill(i.range[1] / 2) : i.range[1] / 2]))
    const batch = client.encryptInputs(encRows)[0]!
    const ours = () => runContract({ compiled, inputs: batch.inputs, plain, evalKeys: keys })
    const hand = handWritten(name, keys, batch.inputs)
    if (hand) {
      const c = await compare({ ours, anchor: hand, samples: 7, warmup: 1 })
      rows.push(lowerIsBetterRow(`${name}: server time, ${per} samples/ciphertext`, 'ms', c.ours.median, c.anchor.median, ANCHOR, 1 / 1.1))
    } else {
      const o = await timeIt(ours, 5, 1)
      rows.push(lowerIsBetterRow(`${name}: server time, ${per} samples/ciphertext`, 'ms', o.median, null, null, null, 'no hand-written anchor yet'))
    }
    keys.dispose()
    client.dispose()
  }
  writeResult('secret-contracts', rows)
}

type Keys = Awaited<ReturnType<typeof loadEvaluationKeys>>

/** The same computation as raw node-seal calls (no wrappers, no checks). */
function handWritten(name: string, keys: Keys, inputs: Record<string, Uint8Array>): (() => unknown) | undefined {
  const { seal, context, evaluator: ev, encoder, slotCount } = keys.ctx
  const rk = keys.relinKeys!
  const load = (b: Uint8Array) => {
    const c = seal.CipherText()
    c.loadArray(context, b)
    return c
  }
  const mulConst = (c: ReturnType<typeof seal.CipherText>, k: number) => {
    const pt = encoder.encode(new Float64Array(slotCount).fill(k), c.scale)!
    ev.plainModSwitchTo(pt, c.parmsId, pt)
    const out = seal.CipherText()
    ev.multiplyPlain(c, pt, out)
    ev.rescaleToNext(out, out)
    pt.delete()
    return out
  }
  const mul = (a: ReturnType<typeof seal.CipherText>, b: ReturnType<typeof seal.CipherText>) => {
    const out = seal.CipherText()
    if (a.coeffModulusSize > b.coeffModulusSize) ev.cipherModSwitchTo(a, b.parmsId, a)
    if (b.coeffModulusSize > a.coeffModulusSize) ev.cipherModSwitchTo(b, a.parmsId, b)
    ev.multiply(a, b, out)
    ev.relinearize(out, rk, out)
    ev.rescaleToNext(out, out)
    return out
  }
  const sub = (a: ReturnType<typeof seal.CipherText>, b: ReturnType<typeof seal.CipherText>) => {
    const out = seal.CipherText()
    if (a.coeffModulusSize > b.coeffModulusSize) ev.cipherModSwitchTo(a, b.parmsId, a)
    if (b.coeffModulusSize > a.coeffModulusSize) ev.cipherModSwitchTo(b, a.parmsId, b)
    b.setScale(a.scale)
    ev.sub(a, b, out)
    return out
  }
  if (name === 'cohort') {
    return () => {
      const x = load(inputs.x!)
      const rotsum = (v: ReturnType<typeof seal.CipherText>) => {
        const tmp = seal.CipherText()
        for (let s = 1; s < 32; s *= 2) {
          ev.rotateVector(v, s, keys.galoisKeys!, tmp)
          ev.add(v, tmp, v)
        }
        tmp.delete()
      }
      const sq = mul(x, x)
      const s1 = x.clone()
      rotsum(s1)
      const m = mulConst(s1, 1 / 32)
      rotsum(sq)
      const m2 = mulConst(sq, 1 / 32)
      const mm = mul(m, m)
      const v = sub(m2, mm)
      const out = [m.saveArray(seal.ComprModeType.none), v.saveArray(seal.ComprModeType.none)]
      for (const c of [x, sq, s1, m, m2, mm, v]) c.delete()
      return out
    }
  }
  if (name === 'dosage') {
    return () => {
      const w = load(inputs.weight!)
      const a = load(inputs.age!)
      const t1 = mulConst(w, 0.02)
      const a2 = a.clone()
      const t2 = mul(mulConst(w, 0.0001), a2)
      const w2 = mul(w, w)
      const t3 = mulConst(w2, 0.00002)
      const pt = encoder.encode(new Float64Array(slotCount).fill(0.5), t1.scale)!
      ev.plainModSwitchTo(pt, t1.parmsId, pt)
      ev.addPlain(t1, pt, t1)
      ev.cipherModSwitchTo(t1, t2.parmsId, t1)
      t1.setScale(t2.scale)
      ev.add(t1, t2, t1)
      const d = sub(t1, t3)
      const out = mulConst(d, 10)
      const bytes = out.saveArray(seal.ComprModeType.none)
      for (const c of [w, a, a2, t1, t2, w2, t3, d, out]) c.delete()
      pt.delete()
      return bytes
    }
  }
  return undefined
}
