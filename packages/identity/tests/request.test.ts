import { describe, expect, it } from 'vitest'
import { anonymousRequestDigest, anonymousScope, canonicalJson, decodeMembershipProof, encodeMembershipProof, epochOf, policyHash, policyIdOf, type MembershipProof } from '../src/index.js'

const bodyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' // sha256('')

describe('anonymousRequestDigest', () => {
  it('binds domain, method, path and body hash', () => {
    const base = { domain: 'localhost', method: 'post', path: '/v1/models/m/he/plan', bodyHash }
    const d = anonymousRequestDigest(base)
    expect(d).toBe(`krain-anonymous:v1\nlocalhost\nPOST\n/v1/models/m/he/plan\n${bodyHash}`)
    for (const change of [{ domain: 'other' }, { method: 'GET' }, { path: '/v1/models/m/he/plan?x' }, { bodyHash: bodyHash.replace('e3', 'e4') }]) expect(anonymousRequestDigest({ ...base, ...change })).not.toBe(d)
  })
  it('refuses a malformed body hash', () => {
    expect(() => anonymousRequestDigest({ domain: 'd', method: 'GET', path: '/', bodyHash: 'XYZ' })).toThrow(TypeError)
  })
})

describe('scope and epoch', () => {
  it('names the model and the epoch', () => {
    expect(epochOf(7200, 3600)).toBe(2)
    expect(epochOf(7199, 3600)).toBe(1)
    expect(anonymousScope('m-1', 2)).toBe('model:m-1:epoch:2')
    expect(() => epochOf(1, 0)).toThrow(RangeError)
  })
})

describe('proof header', () => {
  it('round-trips and refuses junk', () => {
    const p = { groupId: '1', scopeTag: 's', merkleRoot: '1', merkleDepth: 1, nullifier: '2', message: '3', scope: '4', points: { pi_a: ['1', '2'], pi_b: [['1', '2'], ['3', '4']], pi_c: ['5', '6'] } } satisfies MembershipProof
    expect(decodeMembershipProof(encodeMembershipProof(p))).toEqual(p)
    for (const junk of [undefined, '', '!!', 'a'.repeat(9000), Buffer.from('[1]').toString('base64url'), Buffer.from('nope').toString('base64url')]) expect(() => decodeMembershipProof(junk)).toThrow(TypeError)
  })
})

describe('policyHash', () => {
  it('ignores key order and whitespace, not content', () => {
    const a = { defaults: { roles: ['agent'], models: ['*'] }, anonymous: [{ group: '1', maxUses: 2 }] }
    const b = JSON.parse('{ "anonymous": [ { "maxUses": 2, "group": "1" } ],\n  "defaults": { "models": ["*"], "roles": ["agent"] } }')
    expect(policyHash(b)).toBe(policyHash(a))
    expect(policyHash({ ...a, defaults: { roles: ['agent'], models: ['m'] } })).not.toBe(policyHash(a))
    expect(canonicalJson({ b: 1, a: [true, null, 's'] })).toBe('{"a":[true,null,"s"],"b":1}')
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError)
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError)
  })
  it('derives bytes32 policy ids from names', () => {
    expect(policyIdOf('gateway-main')).toMatch(/^0x[0-9a-f]{64}$/)
    expect(policyIdOf(`0x${'AB'.repeat(32)}`)).toBe(`0x${'ab'.repeat(32)}`)
    expect(() => policyIdOf('')).toThrow(RangeError)
  })
})
