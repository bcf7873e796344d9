/**
 * Bring your own model (issue 10): ONNX import and encrypted inference of an imported network.
 *   (a) `importOnnx` of a 100k-parameter MLP exported by PyTorch (packages/models/fixtures/mlp_100k_op13.onnx), target ≤ 1 s;
 *   (b) encrypted inference of the imported digits ReLU MLP (64-32-10, PyTorch fixture): ReLU replaced by
 *       per-neuron Chebyshev interpolants (degree MODEL_IMPORT_DEGREE, default 15) over the sound
 *       ranges of the calibrated pixel box [0, 16]^64, feature-major batch at N = 16384. Server CPU
 *       ms/sample of @krain/he (`evaluateModel`: envelopes in and out, checks, compiled model) against
 *       the same polynomial network written by hand with raw node-seal 6.0.3 calls (same parameters,
 *       same folded weights and coefficients, same Chebyshev product tree, same plaintext cache
 *       policy), interleaved A B A B after a warm-up, CPU time (see ckks-inference.ts for why).
 *       Label agreement and score error against the plaintext model on all 359 held-out rows.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadDigits, trainTestSplit } from '@krain/datasets'
import { argmax, importOnnx, predictLabel, predictScores, type Model } from '@krain/models'
import { createCkksClient, decryptBatch, encryptBatch, evaluateModel, loadEvaluationKeys, loadSeal, planInference, polynomialNetwork, type InferencePlan, type PolynomialLayer } from '@krain/he'
import { benchDir, compareCpu, lowerIsBetterRow, round, timeIt, writeResult, type Row } from './lib.js'

const FIXTURES = join(benchDir, '..', 'packages', 'models', 'fixtures')
const ANCHOR = 'node-seal 6.0.3 by hand'

type Seal = Awaited<ReturnType<typeof loadSeal>>

/** The polynomial network, feature-major, with raw node-seal calls only. */
function handWritten(seal: Seal, plan: InferencePlan, layers: PolynomialLayer[]) {
  const { polyModulusDegree: N, coeffModulusBits, scaleBits } = plan.params
  const slots = N / 2
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks)
  parms.setPolyModulusDegree(N)
  parms.setCoeffModulus(seal.CoeffModulus.Create(N, Int32Array.from(coeffModulusBits)))
  const context = seal.Context(parms, true, seal.SecurityLevel.tc128)
  const keygen = seal.KeyGenerator(context)
  const sk = keygen.secretKey()
  const pk = keygen.createPublicKey()
  const relin = keygen.createRelinKeys()
  const encryptor = seal.Encryptor(context, pk, sk)
  const decryptor = seal.Decryptor(context, sk)
  const ev = seal.Evaluator(context)
  const enc = seal.CKKSEncoder(context)
  const scale = 2 ** scaleBits
  const primes = Array.from(parms.coeffModulus.slice(0, coeffModulusBits.length - 1), Number)
  const top = primes.length - 1
  const ids: (typeof context.firstContextData.parmsId)[] = []
  for (let d = context.firstContextData; ; d = d.nextContextData) {
    ids[d.chainIndex] = d.parmsId
    if (d.chainIndex === 0) break
  }
  type PT = ReturnType<typeof seal.PlainText>
  type CT = ReturnType<typeof seal.CipherText>
  const lvl = (c: CT) => c.coeffModulusSize - 1
  const encodeAt = (v: number, level: number, s: number, dest?: PT): PT => {
    const pt = dest ?? seal.PlainText()
    enc.encode(new Float64Array(slots).fill(v), s, pt)
    if (level < top) ev.plainModSwitchTo(pt, ids[level]!, pt)
    return pt
  }
  // precompute as @krain/he does: weight plaintexts within 160 MiB, biases
  let budget = 160 * 2 ** 20
  let level = top
  const pre = layers.map((l) => {
    const bytes = l.weights.length * l.weights[0]!.length * N * (level + 1) * 8
    let pts: (PT | undefined)[][] | undefined
    if (bytes <= budget) {
      budget -= bytes
      pts = l.weights.map((row) => row.map((w) => (w === 0 ? undefined : encodeAt(w, level, primes[level]!))))
    }
    const out = { level, pts, bias: l.bias.map((b) => encodeAt(b, level - 1, scale)) }
    level -= 1 + (l.coefficients ? Math.ceil(Math.log2(l.coefficients[0]!.length - 1)) + 1 : l.activation === 'square' ? 1 : 0)
    return out
  })
  const scratch = seal.PlainText()
  const trash: { delete(): void }[] = []
  const fresh = (): CT => {
    const c = seal.CipherText()
    trash.push(c)
    return c
  }
  const mulCt = (a: CT, b: CT, dest: CT) => {
    let x = a
    let y = b
    if (lvl(a) !== lvl(b)) {
      const l = Math.min(lvl(a), lvl(b))
      x = fresh()
      x.copy(a)
      y = fresh()
      y.copy(b)
      if (lvl(x) > l) ev.cipherModSwitchTo(x, ids[l]!, x)
      if (lvl(y) > l) ev.cipherModSwitchTo(y, ids[l]!, y)
    }
    if (x === y) ev.square(x, dest)
    else ev.multiply(x, y, dest)
    ev.relinearize(dest, relin, dest)
    ev.rescaleToNext(dest, dest)
  }
  const mulConstTo = (c: CT, v: number, dest: CT, target: number) => {
    const l = lvl(c)
    encodeAt(v, l, (target * primes[l]!) / c.scale, scratch)
    ev.multiplyPlain(c, scratch, dest)
    ev.rescaleToNext(dest, dest)
  }
  const chebyshev = (x: CT, cs: number[], outLevel: number): CT => {
    const d = cs.length - 1
    const T: CT[] = []
    T[1] = x
    for (let i = 2; i <= d; i++) {
      const hi = 2 ** Math.floor(Math.log2(i))
      const p = fresh()
      if (hi === i) {
        mulCt(T[i / 2]!, T[i / 2]!, p)
        ev.add(p, p, p)
        ev.subPlain(p, encodeAt(1, lvl(p), p.scale, scratch), p)
      } else {
        mulCt(T[hi]!, T[i - hi]!, p)
        ev.add(p, p, p)
        const prev = fresh()
        mulConstTo(T[2 * hi - i]!, 1, prev, p.scale)
        if (lvl(prev) > lvl(p)) ev.cipherModSwitchTo(prev, ids[lvl(p)]!, prev)
        prev.setScale(p.scale)
        ev.sub(p, prev, p)
      }
      T[i] = p
    }
    const out = fresh()
    let started = false
    for (let i = 1; i <= d; i++) {
      if (cs[i] === 0) continue
      const t = fresh()
      mulConstTo(T[i]!, cs[i]!, t, scale)
      if (lvl(t) > outLevel) ev.cipherModSwitchTo(t, ids[outLevel]!, t)
      if (!started) out.copy(t)
      else {
        t.setScale(out.scale)
        ev.add(out, t, out)
      }
      started = true
    }
    ev.addPlain(out, encodeAt(cs[0]!, outLevel, out.scale, scratch), out)
    return out
  }

  const evaluate = (inputs: Uint8Array[]): Uint8Array[] => {
    const cts = inputs.map((b) => {
      const c = fresh()
      c.loadArray(context, b)
      return c
    })
    let cur = cts
    layers.forEach((l, li) => {
      const P = pre[li]!
      const tmp = fresh()
      cur = l.weights.map((row, k) => {
        const acc = fresh()
        let started = false
        row.forEach((w, j) => {
          if (w === 0) return
          const pt = P.pts?.[k]![j] ?? encodeAt(w, P.level, primes[P.level]!, scratch)
          if (!started) ev.multiplyPlain(cur[j]!, pt, acc)
          else {
            ev.multiplyPlain(cur[j]!, pt, tmp)
            ev.add(acc, tmp, acc)
          }
          started = true
        })
        ev.rescaleToNext(acc, acc)
        P.bias[k]!.setScale(acc.scale)
        ev.addPlain(acc, P.bias[k]!, acc)
        if (l.activation === 'square') mulCt(acc, acc, acc)
        if (l.coefficients) return chebyshev(acc, l.coefficients[k]!, P.level - 1 - (Math.ceil(Math.log2(l.coefficients[k]!.length - 1)) + 1))
        return acc
      })
    })
    const out = cur.map((c) => c.saveArray(seal.ComprModeType.none))
    for (const t of trash.splice(0)) t.delete()
    return out
  }
  const encryptRows = (rows: number[][]): Uint8Array[] =>
    Array.from({ length: rows[0]!.length }, (_, j) => {
      const pt = enc.encode(Float64Array.from({ length: slots }, (_, b) => rows[b]?.[j] ?? 0), scale) as PT
      const s = encryptor.encryptSymmetricSerializable(pt)
      const bytes = s.saveArray(seal.ComprModeType.none)
      s.delete()
      pt.delete()
      return bytes
    })
  const decryptFirst = (b: Uint8Array): number => {
    const c = seal.CipherText()
    c.loadArray(context, b)
    const pt = decryptor.decrypt(c) as PT
    const v = enc.decode(pt)[0]!
    c.delete()
    pt.delete()
    return v
  }
  return { evaluate, encryptRows, decryptFirst }
}

const tag0 = (plan: InferencePlan, degree: number) => `degree ${degree}, N=${plan.params.polyModulusDegree}, depth ${plan.depth}, chain ${plan.params.coeffModulusBits.join('/')}`

export async function run(): Promise<void> {
  const rows: Row[] = []
  const big = join(FIXTURES, 'mlp_100k_op13.onnx')
  const relu = join(FIXTURES, 'digits_mlp_relu_torch_op13.onnx')
  if (!existsSync(big) || !existsSync(relu)) {
    console.log(`model-import: skipped — needs the fixtures ${big} and ${relu}`)
    return
  }

  // (a) import of a 100k-parameter ONNX MLP
  const bytes = new Uint8Array(readFileSync(big))
  const imported = importOnnx(bytes).model
  const params = imported.kind === 'network' ? imported.layers.reduce((a, l) => a + l.weights.length * (l.weights[0]!.length + 1), 0) : 0
  const t = await timeIt(() => importOnnx(bytes), 9, 2)
  rows.push({ metric: `importOnnx of a ${params}-parameter MLP (${bytes.length} bytes, PyTorch export, opset 13)`, unit: 'ms', ours: round(t.median), anchor: 1000, anchorName: 'target', ratio: round(1000 / t.median), target: 1, met: t.median <= 1000, oursRange: [round(t.min), round(t.max)] })
  console.log(`import: ${t.median.toFixed(1)} ms (${params} parameters)`)

  // (b) encrypted inference of the digits ReLU MLP, feature-major
  const degree = Number(process.env.MODEL_IMPORT_DEGREE ?? 15)
  const model = importOnnx(new Uint8Array(readFileSync(relu))).model
  const { test } = trainTestSplit(loadDigits())
  const calibration = { lo: new Array<number>(64).fill(0), hi: new Array<number>(64).fill(16) }
  const probe = planInference({ model, batchSize: 1 << 20, layout: 'feature-major', calibration, calibrationMargin: 0, activationDegree: degree })
  const batch = probe.slots
  const plan = planInference({ model, batchSize: batch, layout: 'feature-major', calibration, calibrationMargin: 0, activationDegree: degree })
  const batchRows = Array.from({ length: batch }, (_, i) => test.x[i % test.x.length]!)
  const seal = await loadSeal()
  const client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
  const keys = await loadEvaluationKeys(client.exportEvaluationKeys(), { expectParams: plan.params, requireRelin: plan.relin })
  const poly = polynomialNetwork({ model, plan })
  const raw = handWritten(seal, plan, poly)
  const up = encryptBatch({ client, plan, rows: batchRows })
  // the anchor gets the rows as the client sends them: standardised (the fixture's Div(16))
  const std = plan.standardize
  const rawUp = raw.encryptRows(batchRows.map((r) => (std ? r.map((v, j) => (v - std.mean[j]!) / std.scale[j]!) : r)))
  let out: Uint8Array[] = []
  let rawOut: Uint8Array[] = []
  const samples = Number(process.env.MODEL_IMPORT_SAMPLES ?? 3)
  console.log(`model-import: ${tag0(plan, degree)} — timing ${samples} interleaved samples after a warm-up (minutes on a shared machine)`)
  const c = compareCpu({ ours: () => (out = evaluateModel({ keys, model, ciphertexts: up, plan }).ciphertexts), anchor: () => (rawOut = raw.evaluate(rawUp)), samples, warmup: 1 })
  const scores = decryptBatch({ client, plan, ciphertexts: out, count: batch })
  const rawFirst = raw.decryptFirst(rawOut[0]!)
  if (Math.abs(rawFirst - scores[0]![0]!) > 1e-3 * Math.max(1, Math.abs(rawFirst))) throw new Error(`hand-written network disagrees with ours (${rawFirst} vs ${scores[0]![0]})`)
  let same = 0
  let maxErr = 0
  test.x.forEach((x, i) => {
    const want = predictScores(model, x)
    want.forEach((w, k) => (maxErr = Math.max(maxErr, Math.abs(w - scores[i]![k]!))))
    if (argmax(scores[i]!) === predictLabel(model, x)) same++
  })
  const tag = `digits ReLU MLP 64-32-10 (ONNX, PyTorch), Chebyshev degree ${degree}, feature-major, N=${plan.params.polyModulusDegree}, depth ${plan.depth}, batch ${batch}`
  const r = lowerIsBetterRow(`${tag}: server ms/sample`, 'CPU ms', c.ours.median / batch, c.anchor.median / batch, ANCHOR, 1 / 1.2, 'target: overhead ≤ 1.2×')
  r.oursRange = [round(c.ours.min / batch), round(c.ours.max / batch)]
  r.anchorRange = [round(c.anchor.min / batch), round(c.anchor.max / batch)]
  rows.push(r)
  rows.push(lowerIsBetterRow(`${tag}: server ms/batch`, 'CPU ms', c.ours.median, c.anchor.median, ANCHOR))
  rows.push({ metric: `${tag}: labels identical to the plaintext model`, unit: '%', ours: round((100 * same) / test.x.length), anchor: null, anchorName: null, ratio: null, target: 99, met: same / test.x.length >= 0.99, note: `${test.x.length} held-out rows` })
  rows.push({ metric: `${tag}: max |score − plaintext score|`, unit: 'abs', ours: round(maxErr), anchor: null, anchorName: null, ratio: null, target: round(plan.errorBound), met: maxErr <= plan.errorBound, note: `plan's stated bound ${round(plan.errorBound)}, approximation ≤ ${round(plan.layers[0]!.approximation!.maxError)} per hidden unit over [${plan.layers[0]!.range.map((v) => round(v)).join(', ')}]` })
  console.log(`${tag}: ours ${c.ours.median.toFixed(0)} ms/batch, hand-written ${c.anchor.median.toFixed(0)} ms/batch; ${same}/${test.x.length} labels; max err ${maxErr.toFixed(3)}`)
  keys.dispose()
  client.dispose()
  writeResult('model-import', rows)
}
