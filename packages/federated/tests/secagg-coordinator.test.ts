import { describe, expect, it } from 'vitest'
import { breastCancerTask } from '@krain/models'
import { FederatedCoordinator, FederatedError } from '../src/index.js'
import { acc, initNetwork, key, split } from './helpers.js'

describe('FederatedCoordinator with transport: secagg', () => {
  const bc = breastCancerTask()
  const hospitals = split(bc.train.x, bc.train.y, 4, 'iid', 700)
  const model = initNetwork([bc.train.x[0]!.length, 1], 'identity', 'sign')
  const create = (transport: 'shamir' | 'secagg') => FederatedCoordinator.create({ coordinatorKey: key(9), hospitals: hospitals.map((h) => h.address), model, clip: 50, allowUnverified: true, transport, threshold: 3, federationId: 'f' })

  it('gives the same model as the shamir transport round for round, with far fewer bytes', () => {
    const a = create('secagg')
    const b = create('shamir')
    for (let r = 0; r < 3; r++) {
      const ra = a.runRound(hospitals)
      const rb = b.runRound(hospitals)
      expect(ra.contributors).toEqual(rb.contributors)
      const bytesA = Object.values(ra.bytes).reduce((s, x) => s + x.sent + x.received, 0)
      const bytesB = Object.values(rb.bytes).reduce((s, x) => s + x.sent + x.received, 0)
      expect(bytesA).toBeLessThan(bytesB)
    }
    // both sum the same fixed-point (scale 2^16) values exactly
    const pa = a.toJSON().parameters
    const pb = b.toJSON().parameters
    pa.forEach((v, k) => expect(v).toBeCloseTo(pb[k]!, 9))
    expect(acc(a.model(), bc.test.x, bc.test.y)).toBeGreaterThan(0.8)
  })

  it('a round with fewer present hospitals than the threshold is FED_TOO_FEW_HOSPITALS', () => {
    const a = create('secagg')
    expect(() => a.runRound(hospitals.slice(0, 2))).toThrow(FederatedError)
    try {
      a.runRound(hospitals.slice(0, 2))
    } catch (e) {
      expect((e as FederatedError).code).toBe('FED_TOO_FEW_HOSPITALS')
    }
  })

  it('rejects an unknown transport', () => {
    expect(() => FederatedCoordinator.create({ coordinatorKey: key(9), hospitals: hospitals.map((h) => h.address), model, transport: 'plain' as 'secagg' })).toThrow(/"transport"/)
  })
})
