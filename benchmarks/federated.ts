/**
 * @module benchmarks/federated
 * Federated training (issue 13): 10 hospitals, digits MLP 64-16-10, 20 rounds of FedAvg whose
 * updates go through a real `@krain/mpc` secure-aggregation session, against plaintext FedAvg on
 * the same hospitals (each sends its weighted update in the clear; the coordinator sums), rounds
 * interleaved (secure round k, plaintext round k, …). Reports wall time per round and bytes per
 * hospital (JSON on the wire, both directions), held-out accuracy of both, and the accuracy of a
 * run with Gaussian DP at ε = 1 (δ = 1e-5) over the 20 rounds.
 */
import { cpus, loadavg } from 'node:os'
import { digitsTask, type NetworkModel } from '@krain/models'
import { FederatedCoordinator, Hospital, SecAggSession, calibrateNoiseMultiplier, flattenParameters, withParameters } from '@krain/federated'
import { jsonLength, type Hex } from '@krain/mpc'
import { accuracy } from '@krain/models'
import { bytesToHex } from 'viem/utils'
import { lowerIsBetterRow, round, writeResult, type Row } from './lib.js'

const HOSPITALS = 10
const ROUNDS = 20
const key = (i: number): Hex => bytesToHex(Uint8Array.from({ length: 32 }, (_, k) => (k === 0 ? 1 : (i * 31 + k * 7) & 0xff)))

function initNetwork(): NetworkModel {
  let a = 3
  const r = (): number => {
    a = (a * 1103515245 + 12345) & 0x7fffffff
    return a / 0x7fffffff - 0.5
  }
  const sizes = [64, 16, 10]
  return {
    kind: 'network',
    head: 'argmax',
    layers: sizes.slice(1).map((out, l) => ({
      weights: Array.from({ length: out }, () => Array.from({ length: sizes[l]! }, () => (2 * r()) / Math.sqrt(sizes[l]!))),
      bias: new Array<number>(out).fill(0),
      activation: l === 0 ? 'relu' : 'identity',
    })),
  }
}

const cpuMs = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / 1000
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((p, q) => p - q)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export async function run(): Promise<void> {
  const d = digitsTask()
  const hospitals = Array.from({ length: HOSPITALS }, (_, h) => {
    const idx = d.train.x.map((_, i) => i).filter((i) => i % HOSPITALS === h)
    return new Hospital({ identityKey: key(500 + h), x: idx.map((i) => d.train.x[i]!), y: idx.map((i) => d.train.y[i]!) })
  })
  const model = initNetwork()
  const settings = { localEpochs: 1, learningRate: 0.1, batchSize: 16, clip: 100, maxSamples: 10_000 }
  const fed = FederatedCoordinator.create({ coordinatorKey: key(1), hospitals: hospitals.map((h) => h.address), model, ...settings, transport: 'shamir' })
  // plaintext FedAvg: the same local step, the vectors summed in the clear
  let plain = flattenParameters(model)
  const plainRound = (r: number): number => {
    let bytes = 0
    const P = plain.length
    const sum = new Float64Array(P + 1)
    for (const h of hospitals) {
      bytes += jsonLength(Array.from(plain))
      const v = h.localStep({ model, start: plain, round: r, epochs: settings.localEpochs, learningRate: settings.learningRate, batchSize: settings.batchSize, mu: 0, clip: settings.clip, maxSamples: settings.maxSamples, sigma: 0, rosterSize: HOSPITALS })
      bytes += jsonLength(Array.from(v))
      for (let k = 0; k <= P; k++) sum[k]! += v[k]!
    }
    plain = plain.map((w, k) => w + sum[k]! / sum[P]!)
    return bytes / HOSPITALS
  }
  // SecAgg FedAvg (Bonawitz et al. 2017 with long-term pair keys, @krain/federated secagg): the same
  // local step, the vectors summed under pairwise masks (per-round seeds HKDF(K_ij, session ‖ round ‖
  // pair), AES-CTR PRG) with Shamir-shared per-round seeds (t = 7 of 10), every message Ed25519-signed.
  // The session setup (keys, n(n−1) X25519 agreements) is timed once and amortised over the 20 rounds.
  // Bytes at their binary wire size; the model download counted as float64 (8 B/parameter) for both.
  let sec = flattenParameters(model)
  let session: SecAggSession | null = null
  let setupMs = 0
  const P1 = flattenParameters(model).length
  let setupCpuMs = 0
  const newSession = (label: string): SecAggSession => {
    const t = performance.now()
    const c0 = process.cpuUsage()
    const s = new SecAggSession({ session: label, n: HOSPITALS, threshold: 7, length: P1 + 1, scale: 2 ** 16, bound: settings.clip * settings.maxSamples })
    setupMs = performance.now() - t
    setupCpuMs = cpuMs(c0)
    return s
  }
  const secRound = (r: number): number => {
    const P = sec.length
    const inputs = hospitals.map((h) => h.localStep({ model, start: sec, round: r, epochs: settings.localEpochs, learningRate: settings.learningRate, batchSize: settings.batchSize, mu: 0, clip: settings.clip, maxSamples: settings.maxSamples, sigma: 0, rosterSize: HOSPITALS }))
    const res = session!.runRound(r, inputs)
    sec = sec.map((w, k) => w + res.sum[k]! / res.sum[P]!)
    let b = 0
    for (const v of res.bytes.values()) b += v.sent + v.received + 8 * P + session!.setupBytes / ROUNDS
    return b / HOSPITALS
  }
  const binPlainBytes = (P: number): number => 8 * P + 8 * (P + 1)
  const secureMs: number[] = []
  const plainMs: number[] = []
  const secureBytes: number[] = []
  const plainBytes: number[] = []
  // warm-up (not counted)
  plainRound(0)
  plain = flattenParameters(model)
  session = newSession('bench-warmup')
  secRound(1)
  sec = flattenParameters(model)
  session = newSession('bench')
  const secaggMs: number[] = []
  const secaggBytes: number[] = []
  const plainMs2: number[] = []
  const secaggCpu: number[] = []
  const plainCpu: number[] = []
  for (let r = 1; r <= ROUNDS; r++) {
    let t = performance.now()
    let c0 = process.cpuUsage()
    secaggBytes.push(secRound(r))
    secaggCpu.push(cpuMs(c0))
    secaggMs.push(performance.now() - t)
    t = performance.now()
    c0 = process.cpuUsage()
    plainRound(r)
    plainCpu.push(cpuMs(c0))
    plainMs2.push(performance.now() - t)
    console.log(`round ${r}: secagg ${secaggMs.at(-1)!.toFixed(1)} ms, plaintext ${plainMs2.at(-1)!.toFixed(1)} ms`)
  }
  const accSecagg = accuracy(withParameters(model, sec), d.test.x, d.test.y)
  plain = flattenParameters(model)
  for (let r = 1; r <= ROUNDS; r++) {
    let t = performance.now()
    const rep = fed.runRound(hospitals)
    secureMs.push(performance.now() - t)
    secureBytes.push(Object.values(rep.bytes).reduce((s, b) => s + b.sent + b.received, 0) / HOSPITALS)
    t = performance.now()
    plainBytes.push(plainRound(r))
    plainMs.push(performance.now() - t)
    console.log(`round ${r}: secure ${secureMs.at(-1)!.toFixed(0)} ms, plaintext ${plainMs.at(-1)!.toFixed(0)} ms`)
  }
  const accSecure = accuracy(fed.model(), d.test.x, d.test.y)
  const accPlain = accuracy(withParameters(model, plain), d.test.x, d.test.y)

  // DP at ε = 1 over the 20 rounds (uniform weights; clip 1 on Δ)
  const z = calibrateNoiseMultiplier({ epsilon: 1, delta: 1e-5, rounds: ROUNDS })
  const dpFed = FederatedCoordinator.create({ coordinatorKey: key(2), hospitals: hospitals.map((h) => h.address), model, ...settings, clip: 1, learningRate: 0.1, dp: { epsilon: 1, delta: 1e-5, noiseMultiplier: z } })
  for (let r = 1; r <= ROUNDS; r++) dpFed.runRound(hospitals)
  const accDp = accuracy(dpFed.model(), d.test.x, d.test.y)

  const P0 = flattenParameters(model).length
  const rows: Row[] = [
    lowerIsBetterRow('transport secagg: wall time / plaintext FedAvg wall time, per round (median of 20 paired, interleaved rounds; + session setup / 20)', '×', median(secaggMs.map((m, k) => m / plainMs2[k]!)) + setupMs / ROUNDS / median(plainMs2), 1, 'plaintext FedAvg (ratio 1)', 1 / 1.5, `each secagg round is timed right before its plaintext twin, so the ratio of the pair sees the same machine load (load average ${round(loadavg()[0]!)} on ${cpus().length} cores); setup amortised at ${round(setupMs / ROUNDS)} ms/round`),
    lowerIsBetterRow('transport secagg: CPU time per round incl. local training, 10 hospitals, digits MLP (median of 20 + session setup / 20)', 'ms', median(secaggCpu) + setupCpuMs / ROUNDS, median(plainCpu), 'plaintext FedAvg (same rounds, interleaved)', 1 / 1.5, `process CPU time (user + system); session setup ${round(setupCpuMs)} ms CPU once; secagg ${round(Math.min(...secaggCpu))}–${round(Math.max(...secaggCpu))}, plaintext ${round(Math.min(...plainCpu))}–${round(Math.max(...plainCpu))}; load average ${round(loadavg()[0]!)} on ${cpus().length} cores during the run, so CPU time is the figure the scheduler does not distort`),
    lowerIsBetterRow('transport secagg: wall time per round incl. local training, 10 hospitals, digits MLP (median of 20 + session setup / 20)', 'ms', median(secaggMs) + setupMs / ROUNDS, median(plainMs2), 'plaintext FedAvg (same rounds, interleaved)', 1 / 1.5, `session setup (keys + 90 pair agreements, once) ${round(setupMs)} ms; secagg rounds ${round(Math.min(...secaggMs))}–${round(Math.max(...secaggMs))}, plaintext ${round(Math.min(...plainMs2))}–${round(Math.max(...plainMs2))}; median of paired per-round ratios ${round(median(secaggMs.map((m, k) => m / plainMs2[k]!)))}×; 10 hospitals simulated serially on one thread (shared 2-core machine)`),
    lowerIsBetterRow('transport secagg: bytes per hospital per round (binary wire)', 'B', median(secaggBytes), binPlainBytes(P0), 'plaintext FedAvg, binary float64 (model down + update up)', 1 / 1.2, `masked Z_2^64 vector + O(n) keys and encrypted shares; JSON plaintext FedAvg measured ${round(median(plainBytes))} B`),
    { metric: 'held-out accuracy after 20 rounds (secagg FedAvg)', unit: 'accuracy', ours: round(accSecagg), anchor: round(accPlain), anchorName: 'plaintext FedAvg', ratio: round(accSecagg / accPlain), target: null, met: null },
    lowerIsBetterRow('transport shamir (@krain/mpc): wall time per round, 10 hospitals, digits MLP (median of 20)', 'ms', median(secureMs), median(plainMs), 'plaintext FedAvg (same rounds)', 1 / 1.5, `secure ${round(Math.min(...secureMs))}–${round(Math.max(...secureMs))}, plaintext ${round(Math.min(...plainMs))}–${round(Math.max(...plainMs))}`),
    lowerIsBetterRow('transport shamir (@krain/mpc): bytes per hospital per round (JSON)', 'B', median(secureBytes), median(plainBytes), 'plaintext FedAvg (same rounds)', 1 / 1.2, 'Shamir shares of every element to every party: ~n× the plaintext update'),
    { metric: 'held-out accuracy after 20 rounds (secure FedAvg)', unit: 'accuracy', ours: round(accSecure), anchor: round(accPlain), anchorName: 'plaintext FedAvg', ratio: round(accSecure / accPlain), target: null, met: null },
    { metric: `held-out accuracy with DP ε = 1, δ = 1e-5 over 20 rounds (z = ${round(z)}, ε spent ${round(dpFed.epsilonSpent()!)})`, unit: 'accuracy', ours: round(accDp), anchor: round(accSecure), anchorName: 'secure FedAvg without DP', ratio: round(accDp / accSecure), target: null, met: null },
  ]
  writeResult('federated', rows)
}
