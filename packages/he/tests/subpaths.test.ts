import { describe, expect, it } from 'vitest'
import * as root from '@krain/he'
import * as paillier from '@krain/he/paillier'
import * as ckks from '@krain/he/ckks'
import * as bfv from '@krain/he/bfv'
import * as elgamal from '@krain/he/elgamal'

const entries = { paillier, ckks, bfv, elgamal }

describe('@krain/he subpath exports', () => {
  it.each(Object.entries(entries))('every export of @krain/he/%s is the same binding in the root', (_, sub) => {
    for (const [name, value] of Object.entries(sub)) expect(root[name as keyof typeof root], name).toBe(value)
  })

  it('the root exports nothing that no scheme exports', () => {
    const union = new Set(Object.values(entries).flatMap((m) => Object.keys(m)))
    expect(Object.keys(root).filter((k) => !union.has(k))).toEqual([])
  })

  it('each scheme entry carries its own entry points and the shared error classes', () => {
    expect(paillier.generateKeyPair).toBeTypeOf('function')
    expect(ckks.createCkksClient).toBeTypeOf('function')
    expect(bfv.createBfvClient).toBeTypeOf('function')
    expect(elgamal.generateElGamalKeys).toBeTypeOf('function')
    for (const m of Object.values(entries)) expect([m.HeKeyMismatchError, m.HeSerializationError, m.HeScaleError]).toEqual([root.HeKeyMismatchError, root.HeSerializationError, root.HeScaleError])
    expect('generateKeyPair' in ckks).toBe(false)
  })
})
