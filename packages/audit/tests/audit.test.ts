import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from 'viem/utils'
import { privateKeyToAccount } from 'viem/accounts'
import { AuditLog, actionDigest, addressOf, assertConsent, dataDigest, signConsent, signDigest, verifyConsent, verifyLog } from '../src/index.js'
import type { AuditLogExport, Hex } from '../src/index.js'

const owner = '0x' + '11'.repeat(32) as Hex
const alice = '0x' + '22'.repeat(32) as Hex
const bob = '0x' + '33'.repeat(32) as Hex
const ownerAddr = addressOf(owner)

function makeLog(n: number): AuditLogExport {
  const log = new AuditLog({ ownerPrivateKey: owner })
  const kinds = ['session-created', 'consent-given', 'round-aggregated', 'result-released', 'model-registered']
  for (let i = 0; i < n; i++) {
    const actorKey = i % 2 ? alice : bob
    const actor = addressOf(actorKey)
    const kind = kinds[i % kinds.length]!
    const digest = dataDigest({ round: i })
    const sig = i % 3 === 0 ? signDigest(actorKey, actionDigest({ kind, sessionId: 's1', dataDigest: digest, actor })) : undefined
    log.appendEntry({ kind, sessionId: 's1', dataDigest: digest, actor, actorSignature: sig, time: 1_700_000_000_000 + i })
  }
  return log.exportLog({ time: 1_800_000_000_000 })
}

const clone = (l: AuditLogExport): AuditLogExport => JSON.parse(JSON.stringify(l))

describe('verifyLog', () => {
  it('accepts an untouched log (owner given as address or public key), also after a JSON round trip', () => {
    const log = makeLog(6)
    expect(verifyLog(clone(log), { ownerPublicKey: ownerAddr })).toEqual({ valid: true, reason: 'ok', count: 6 })
    const pub = bytesToHex(secp256k1.getPublicKey(Buffer.from(owner.slice(2), 'hex'), true))
    expect(verifyLog(log, { ownerPublicKey: pub }).valid).toBe(true)
    expect(verifyLog(log, { ownerPublicKey: addressOf(alice) })).toMatchObject({ valid: false, firstInvalid: 0 })
  })

  it('detects any edit at the first altered entry', () => {
    const base = makeLog(8)
    const fields = ['time', 'kind', 'sessionId', 'dataDigest', 'actor', 'prevHash', 'hash', 'ownerSignature', 'seq'] as const
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.constantFrom(...fields), (i, f) => {
        const l = clone(base)
        const e = l.entries[i]! as Record<string, unknown>
        if (f === 'time') e.time = (e.time as number) + 1
        else if (f === 'seq') e.seq = (e.seq as number) + 1
        else if (f === 'actor') e.actor = addressOf(owner)
        else if (f === 'kind' || f === 'sessionId') e[f] = `${e[f] as string}x`
        else {
          const s = e[f] as string
          e[f] = s.slice(0, 10) + (s[10] === 'a' ? 'b' : 'a') + s.slice(11)
        }
        const r = verifyLog(l, { ownerPublicKey: ownerAddr })
        expect(r.valid).toBe(false)
        if (!r.valid) expect(r.firstInvalid).toBe(i)
      }),
      { numRuns: 60 },
    )
  })

  it('detects reordering, deletion and truncation', () => {
    const base = makeLog(8)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 7 }), (i, d) => {
        const j = Math.min(7, i + d)
        const swapped = clone(base)
        ;[swapped.entries[i], swapped.entries[j]] = [swapped.entries[j]!, swapped.entries[i]!]
        expect(verifyLog(swapped, { ownerPublicKey: ownerAddr })).toMatchObject({ valid: false, firstInvalid: i })
        const deleted = clone(base)
        deleted.entries.splice(i, 1)
        expect(verifyLog(deleted, { ownerPublicKey: ownerAddr })).toMatchObject({ valid: false, firstInvalid: i })
      }),
      { numRuns: 30 },
    )
    const cut = clone(base)
    cut.entries.length = 5
    expect(verifyLog(cut, { ownerPublicKey: ownerAddr })).toMatchObject({ valid: false, firstInvalid: 5 })
    const badHead = clone(base)
    badHead.head.count = 7
    expect(verifyLog(badHead, { ownerPublicKey: ownerAddr })).toMatchObject({ valid: false, reason: 'the head signature is invalid' })
  })

  it('refuses to append an action with a forged actor co-signature', () => {
    const log = new AuditLog({ ownerPrivateKey: owner })
    const actor = addressOf(alice)
    const d = dataDigest('x')
    const forged = signDigest(bob, actionDigest({ kind: 'consent-given', sessionId: 's', dataDigest: d, actor }))
    expect(() => log.appendEntry({ kind: 'consent-given', sessionId: 's', dataDigest: d, actor, actorSignature: forged })).toThrow(expect.objectContaining({ code: 'AUDIT_BAD_SIGNATURE' }))
  })

  it('names the entry whose actor co-signature was replaced by a forged one', () => {
    const l = clone(makeLog(4))
    const e = l.entries[2]!
    const actor = e.actor ?? addressOf(bob)
    l.entries[2]!.actorSignature = signDigest(actor === addressOf(alice) ? bob : alice, actionDigest({ kind: e.kind, sessionId: e.sessionId, dataDigest: e.dataDigest, actor }))
    expect(verifyLog(l, { ownerPublicKey: ownerAddr })).toMatchObject({ valid: false, firstInvalid: 2 })
  })

  it.each([null, 1, {}, { version: 1, owner: ownerAddr, entries: [{}], head: {} }])('refuses input that is not a log (%o) with AUDIT_MALFORMED_LOG', (junk) => {
    expect(() => verifyLog(junk, { ownerPublicKey: ownerAddr })).toThrow(expect.objectContaining({ code: 'AUDIT_MALFORMED_LOG' }))
  })

  it('resumes from an exported log and keeps the chain', () => {
    const exported = makeLog(3)
    const log = new AuditLog({ ownerPrivateKey: owner, entries: exported })
    log.appendEntry({ kind: 'result-released', sessionId: 's1', data: { sum: 3 }, time: 1_800_000_000_001 })
    expect(verifyLog(log.exportLog(), { ownerPublicKey: ownerAddr })).toMatchObject({ valid: true, count: 4 })
  })
})

describe('consent', () => {
  const consent = { sessionId: 'sess-1', purpose: 'joint disease model', computation: 'federated logistic regression', parties: [addressOf(alice), addressOf(bob)], expiry: 2_000_000_000 }

  it('verifies offline and equals a wallet signTypedData signature', async () => {
    const signed = signConsent({ privateKey: alice, consent })
    expect(verifyConsent(signed, { now: 1_900_000_000, sessionId: 'sess-1', party: addressOf(alice) })).toEqual({ valid: true })
    const { CONSENT_DOMAIN, CONSENT_TYPES } = await import('../src/index.js')
    const viemSig = await privateKeyToAccount(alice).signTypedData({ domain: CONSENT_DOMAIN, types: CONSENT_TYPES, primaryType: 'Consent', message: { ...signed.consent, expiry: BigInt(consent.expiry) } })
    expect(viemSig).toBe(signed.signature)
  })

  it('refuses expired, tampered and wrong-session consents', () => {
    const signed = signConsent({ privateKey: alice, consent })
    expect(verifyConsent(signed, { now: 2_000_000_000 })).toEqual({ valid: false, reason: 'expired' })
    expect(verifyConsent({ ...signed, consent: { ...signed.consent, purpose: 'marketing' } }, { now: 1 })).toEqual({ valid: false, reason: 'bad-signature' })
    expect(verifyConsent(signed, { now: 1, sessionId: 'other' })).toEqual({ valid: false, reason: 'wrong-session' })
    expect(() => assertConsent(signed, { now: 2_000_000_001 })).toThrow(expect.objectContaining({ code: 'AUDIT_CONSENT_EXPIRED' }))
    expect(() => signConsent({ privateKey: alice, consent: { ...consent, parties: [addressOf(bob)] } })).toThrow(RangeError)
  })
})
