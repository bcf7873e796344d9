import { describe, expect, it } from 'vitest'
import { breastCancerTask, digitsTask } from '@krain/models'
import { FederatedBudgetError, FederatedCoordinator, calibrateNoiseMultiplier, epsilonOf, localTrain, flattenParameters, withParameters } from '../src/index.js'
import { acc, initNetwork, key, split } from './helpers.js'

const bc = breastCancerTask()

function centralised(model: ReturnType<typeof initNetwork>, x: number[][], y: number[], epochs: number, learningRate: number, batchSize: number): number {
  const w = localTrain({ model, start: flattenParameters(model), x, y, epochs, learningRate, batchSize, mu: 0, seed: 1 })
  return acc(withParameters(model, w), bcTestX(model), bcTestY(model))
}
const bcTestX = (m: { head: string }): number[][] => (m.head === 'sign' ? bc.test.x : dg().test.x)
const bcTestY = (m: { head: string }): number[] => (m.head === 'sign' ? bc.test.y : dg().test.y)
const dg = () => digitsTask()

describe('FederatedCoordinator (breast_cancer, logistic)', () => {
  const model = initNetwork([30, 1], 'identity', 'sign')
  const central = centralised(model, bc.train.x, bc.train.y, 10, 0.1, 16)
  for (const n of [3, 10]) {
    for (const mode of ['iid', 'skew'] as const) {
      it(`${n} hospitals, ${mode}: held-out accuracy within 1 point of centralised`, () => {
        const hospitals = split(bc.train.x, bc.train.y, n, mode)
        const fed = FederatedCoordinator.create({ coordinatorKey: key(1), hospitals: hospitals.map((h) => h.address), model, localEpochs: 1, learningRate: 0.1, clip: 50, allowUnverified: true, algorithm: mode === 'skew' ? 'fedprox' : 'fedavg', mu: 0.01 })
        let last
        for (let r = 0; r < 10; r++) last = fed.runRound(hospitals)
        expect(last!.contributors).toHaveLength(n)
        const a = acc(fed.model(), bc.test.x, bc.test.y)
        expect(central).toBeGreaterThan(0.95)
        expect(a).toBeGreaterThanOrEqual(central - 0.01)
      }, 30_000)
    }
  }
})

describe('FederatedCoordinator (digits, MLP)', () => {
  it('5 hospitals: held-out accuracy within 2 points of centralised', () => {
    const d = dg()
    const model = initNetwork([64, 16, 10], 'relu', 'argmax', 3)
    const central = centralised(model, d.train.x, d.train.y, 10, 0.1, 16)
    const hospitals = split(d.train.x, d.train.y, 5, 'iid', 200)
    const fed = FederatedCoordinator.create({ coordinatorKey: key(2), hospitals: hospitals.map((h) => h.address), model, localEpochs: 3, learningRate: 0.1, clip: 100 })
    for (let r = 0; r < 12; r++) fed.runRound(hospitals)
    const a = acc(fed.model(), d.test.x, d.test.y)
    expect(central).toBeGreaterThan(0.85)
    expect(a).toBeGreaterThanOrEqual(central - 0.02)
  }, 60_000)
})

describe('dropouts, restart, replay, DP', () => {
  const model = initNetwork([30, 1], 'identity', 'sign')
  const hospitals = split(bc.train.x, bc.train.y, 5, 'iid', 300)

  it('completes a round with a dropout, and the hospital rejoins the next round', () => {
    const fed = FederatedCoordinator.create({ coordinatorKey: key(3), hospitals: hospitals.map((h) => h.address), model, threshold: 3 })
    const r1 = fed.runRound(hospitals.slice(0, 4))
    expect(r1.contributors).toHaveLength(4)
    expect(r1.contributors).not.toContain(hospitals[4]!.address)
    const r2 = fed.runRound(hospitals)
    expect(r2.contributors).toContain(hospitals[4]!.address)
    expect(() => fed.runRound(hospitals.slice(0, 2))).toThrow(expect.objectContaining({ code: 'FED_TOO_FEW_HOSPITALS' }))
  })

  it('restarts from saved JSON state and continues identically', () => {
    const fed = FederatedCoordinator.create({ coordinatorKey: key(4), hospitals: hospitals.map((h) => h.address), model })
    fed.runRound(hospitals)
    const saved = JSON.stringify(fed.toJSON())
    const restored = FederatedCoordinator.fromJSON(JSON.parse(saved), key(4))
    expect(restored.round).toBe(1)
    expect(restored.model()).toEqual(fed.model())
    const r = restored.runRound(hospitals)
    expect(r.round).toBe(2)
    expect(() => FederatedCoordinator.fromJSON(JSON.parse(saved), key(5))).toThrow(expect.objectContaining({ code: 'FED_BAD_STATE' }))
    expect(() => FederatedCoordinator.fromJSON({ version: 1 }, key(4))).toThrow(expect.objectContaining({ code: 'FED_BAD_STATE' }))
  })

  it('refuses a message replayed from an earlier round (shamir transport; secagg: tests/secagg.test.ts)', () => {
    const fed = FederatedCoordinator.create({ coordinatorKey: key(6), hospitals: hospitals.map((h) => h.address), model, transport: 'shamir' })
    const old: { round: 'join' | 'share' | 'sum'; message: unknown }[] = []
    fed.runRound(hospitals.slice(0, 4), { onMessage: (round, message) => old.push({ round, message }) })
    // hospital 0 does not take part in round 2; its round-1 messages are replayed on its behalf
    const r2 = fed.runRound(hospitals.slice(1), { inject: old.filter((m) => (m.message as { from: string }).from === hospitals[0]!.address) })
    expect(r2.refusals.length).toBe(3)
    expect(r2.refusals.every((x) => x.code === 'MPC_WRONG_SESSION')).toBe(true)
    expect(r2.contributors).not.toContain(hospitals[0]!.address)
  })

  it('flags an aggregate whose norm exceeds the declared clip (a lying hospital)', () => {
    const fed = FederatedCoordinator.create({ coordinatorKey: key(7), hospitals: hospitals.map((h) => h.address), model, clip: 0.01 })
    const liar = hospitals[0]!
    const honest = liar.localStep.bind(liar)
    // the liar skips its clip: every value near the session's per-value bound (clip · maxSamples =
    // 100), which the share encoding accepts, but the vector's norm is far past its declared clip
    liar.localStep = (p) => {
      const v = honest(p)
      for (let k = 0; k < v.length - 1; k++) v[k] = 90
      return v
    }
    try {
      expect(() => fed.runRound(hospitals)).toThrow(expect.objectContaining({ code: 'FED_NORM_EXCEEDED' }))
      expect(fed.round).toBe(0)
    } finally {
      liar.localStep = honest
    }
  })

  it('reports ε under DP and refuses a round past the budget', () => {
    const z = calibrateNoiseMultiplier({ epsilon: 1, delta: 1e-5, rounds: 3 })
    expect(epsilonOf([z, z, z], 1e-5)).toBeLessThanOrEqual(1)
    expect(epsilonOf([z, z, z, z], 1e-5)).toBeGreaterThan(1)
    const fed = FederatedCoordinator.create({ coordinatorKey: key(8), hospitals: hospitals.map((h) => h.address), model, clip: 1, dp: { epsilon: 1, delta: 1e-5, noiseMultiplier: z } })
    const eps: number[] = []
    for (let r = 0; r < 3; r++) eps.push(fed.runRound(hospitals).epsilon!)
    expect(eps[0]!).toBeGreaterThan(0)
    expect(eps[2]!).toBeGreaterThan(eps[0]!)
    expect(eps[2]!).toBeLessThanOrEqual(1)
    let err: unknown
    try {
      fed.runRound(hospitals)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(FederatedBudgetError)
    expect((err as FederatedBudgetError).code).toBe('FED_BUDGET_EXHAUSTED')
    expect(fed.round).toBe(3)
    expect(fed.model().kind).toBe('network')
  })
})
