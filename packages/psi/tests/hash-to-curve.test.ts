import { describe, expect, it } from 'vitest'
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes } from 'node:crypto'
import { _map_to_curve_elligator2_curve25519 } from '@noble/curves/ed25519.js'
import { Field } from '@noble/curves/abstract/modular.js'
import { elligator2Batch, hashToCurve } from '../src/worker/psi-worker.mjs'

const P = 2n ** 255n - 19n
const Fp = Field(P)
const A = 486662n
const le = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).reverse().toString('hex'))
const toLe = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(64, '0'), 'hex').reverse()
const onCurve = (u: bigint): boolean => Fp.pow(Fp.add(Fp.mul(Fp.mul(u, u), Fp.add(u, A)), u), (P - 1n) / 2n) === 1n

const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const x25519 = (k: Buffer, u: Buffer): Buffer =>
  diffieHellman({
    privateKey: createPrivateKey({ key: Buffer.concat([PKCS8, k]), format: 'der', type: 'pkcs8' }),
    publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: u.toString('base64url') }, format: 'jwk' }),
  })

describe('hash to curve25519 (native Legendre, batched inversions)', () => {
  it('equals noble’s RFC 9380 map_to_curve_elligator2_curve25519, edge cases included', () => {
    // (1 + 2u² = 0 has no solution: 2 is a non-square and −1 a square mod p)
    const us = [0n, 1n, 2n, P - 1n, ...Array.from({ length: 300 }, () => le(randomBytes(40)) % P)]
    const out = elligator2Batch(us)
    us.forEach((u, i) => {
      const { xMn, xMd } = _map_to_curve_elligator2_curve25519(u)
      expect(le(out.subarray(i * 32, i * 32 + 32))).toBe(Fp.div(xMn, xMd))
    })
  })

  it('every hashed identifier lands on curve25519, never on its twist', () => {
    const enc = new TextEncoder()
    const ids = Array.from({ length: 200 }, (_, i) => enc.encode(`patient-${i}`))
    const offsets = [0]
    for (const b of ids) offsets.push(offsets.at(-1)! + b.length)
    const out = hashToCurve(Buffer.concat(ids), offsets)
    for (let i = 0; i < ids.length; i++) expect(onCurve(le(out.subarray(i * 32, i * 32 + 32)))).toBe(true)
  })

  it('why identifiers are not hashed straight to a u-coordinate: X25519 commutes on the twist, but keeps the twist bit', () => {
    let twist = 0
    for (let i = 0; i < 40; i++) {
      const u = toLe(le(randomBytes(32)) % P)
      const [a, b] = [randomBytes(32), randomBytes(32)]
      const ab = x25519(a, x25519(b, u))
      expect(ab.equals(x25519(b, x25519(a, u)))).toBe(true) // commutative for curve and twist points
      // the blinded value is on the twist exactly when u is: a public, per-identifier bit leaks
      expect(onCurve(le(x25519(a, u)))).toBe(onCurve(le(u)))
      if (!onCurve(le(u))) twist++
    }
    expect(twist).toBeGreaterThan(0)
  })
})
