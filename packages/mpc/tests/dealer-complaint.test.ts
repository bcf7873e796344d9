/**
 * Issue 12, item 3 (second half): when a dealt share is invalid, the dealer is blamed, not the
 * recipient. Shares carry the dealer's signed commitment (the signed ciphertext hash and the key
 * commitment at its head), so the recipient's complaint is a proof anyone can check.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Coordinator, MpcDealerError, Party, addressOf, createSession, signDigest, verifyDealerComplaint, type DealerComplaint, type SharesMessage } from '../src/index.js'
import { sharesDigest, sharesManifest } from '../src/protocol/messages.js'
import { complaintDigest } from '../src/protocol/complaint.js'
import { deriveShareKey } from '../src/crypto/share-encryption.js'
import { identities } from './helpers.js'

const T0 = 1_700_000_000_000

/** 5 parties, t = 2, length 3, everyone joined, roster out. */
function session(offset: number) {
  const { coordinatorKey, keys, addresses } = identities(5, offset)
  const config = createSession({ coordinator: addressOf(coordinatorKey), parties: addresses, threshold: 2, length: 3, scale: 4, bound: 1000, deadlines: { join: T0 + 1000, share: T0 + 2000, sum: T0 + 3000 } })
  const coordinator = new Coordinator({ config, identityKey: coordinatorKey })
  const parties = keys.map((k) => new Party({ config, identityKey: k }))
  for (const p of parties) coordinator.receive(p.join(), T0)
  return { config, coordinator, parties, keys, addresses, roster: coordinator.roster() }
}

/** A dealer's upload whose share to `victim` is altered at byte `at`, then signed by the dealer itself. */
function cheatingUpload(honest: SharesMessage, dealerKey: `0x${string}`, victim: string, at: number): SharesMessage {
  const shares = honest.shares.map((s) => {
    if (s.to !== victim) return s
    const b = Uint8Array.from(s.ciphertext)
    b[at % b.length]! ^= 0x5a
    return { ...s, ciphertext: b }
  })
  return { ...honest, shares, signature: signDigest(dealerKey, sharesDigest(honest.sessionId, honest.from, sharesManifest({ shares }))) }
}

describe('a dealer that signs an invalid share', () => {
  it('is named by the recipient and proven guilty; the others still sum', () => {
    const s = session(500)
    const [dealer, victim] = [0, 3]
    s.parties.forEach((p, i) => {
      const up = p.share([i, -i, 2 * i], s.roster)
      s.coordinator.receive(i === dealer ? cheatingUpload(up, s.keys[dealer]!, s.addresses[victim]!, 60) : up, T0 + 1000)
    })
    expect(s.coordinator.phase).toBe('sum')
    let complaint: DealerComplaint | undefined
    s.parties.forEach((p, i) => {
      const bundle = s.coordinator.bundleFor(p.address)
      if (i !== victim) return void s.coordinator.receive(p.sum(bundle), T0 + 2000)
      try {
        p.sum(bundle)
        throw new Error('the victim summed an invalid share')
      } catch (e) {
        expect(e).toBeInstanceOf(MpcDealerError)
        expect(e).toMatchObject({ code: 'MPC_DEALER_MISBEHAVED', dealer: s.addresses[dealer] })
        complaint = (e as MpcDealerError).complaint as DealerComplaint
      }
    })
    // anyone can check the proof; it reveals one pairwise key, not the victim's X25519 key
    expect(verifyDealerComplaint({ complaint, config: s.config })).toMatchObject({ verdict: 'dealer', dealer: s.addresses[dealer], complainant: s.addresses[victim] })
    expect(JSON.stringify(complaint)).not.toContain(s.parties[victim]!.toJSON().encryption.privateKey)
    expect(s.coordinator.receive(complaint, T0 + 2000)).toMatchObject({ outcome: 'accepted', phase: 'done' })
    const r = s.coordinator.result()
    expect(r.dealersBlamed).toEqual([s.addresses[dealer]])
    expect(r.cheaters).toEqual([]) // the recipient is not blamed
    expect(r.verified).toBe(true)
    expect(r.values).toEqual([0 + 1 + 2 + 3 + 4, -(0 + 1 + 2 + 3 + 4), 2 * (0 + 1 + 2 + 3 + 4)])
    // the complaint survives a restart of the coordinator
    expect(Coordinator.fromJSON(s.coordinator.toJSON(), { identityKey: identities(5, 500).coordinatorKey }).result().dealersBlamed).toEqual([s.addresses[dealer]])
  })

  it('for any corrupted byte: the recipient blames the dealer, and the proof holds unless the byte is in the key commitment', () => {
    const s = session(520)
    const ups = s.parties.map((p, i) => p.share([i, i, i], s.roster))
    const ctLen = ups[1]!.shares[0]!.ciphertext.length
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ctLen - 1 }), (at) => {
        // a fresh view of the session per case: the coordinator's state is copied, the parties' too
        const coordinator = Coordinator.fromJSON(s.coordinator.toJSON(), { identityKey: identities(5, 520).coordinatorKey })
        const parties = s.parties.map((p, i) => Party.fromJSON(p.toJSON(), { identityKey: s.keys[i]! }))
        ups.forEach((up, i) => coordinator.receive(i === 1 ? cheatingUpload(up, s.keys[1]!, s.addresses[4]!, at) : up, T0 + 1000))
        let err: unknown
        try {
          parties[4]!.sum(coordinator.bundleFor(s.addresses[4]!))
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(MpcDealerError)
        const { verdict } = verifyDealerComplaint({ complaint: (err as MpcDealerError).complaint, config: s.config })
        expect(verdict).toBe(at < 32 ? 'unproven' : 'dealer')
      }),
      { numRuns: 25 },
    )
  })
})

describe('a complaint against an honest dealer', () => {
  it('is refused: a false claim is shown false, a wrong key proves nothing, altered evidence does not verify', () => {
    const s = session(540)
    s.parties.forEach((p, i) => s.coordinator.receive(p.share([i, 0, 0], s.roster), T0 + 1000))
    const liar = s.parties[2]!
    const bundle = s.coordinator.bundleFor(liar.address)
    const fromDealer = bundle.shares.find((x) => x.from === s.addresses[0])!
    const state = liar.toJSON()
    // the liar reveals its true pairwise key (it can compute it) and claims the share is invalid
    const dealerJoin = s.roster.members.find((m) => m.from === s.addresses[0])!
    const key = deriveShareKey({ own: state.encryption, peerPublicKey: dealerJoin.encryptionKey, sessionId: s.config.sessionId, from: s.addresses[0]!, to: liar.address, label: 'share' })
    const claim = (k: Uint8Array, ciphertext = fromDealer.ciphertext): DealerComplaint => {
      const body = { sessionId: s.config.sessionId, from: liar.address, dealer: s.addresses[0]!, ciphertext, manifest: fromDealer.manifest, dealerSignature: fromDealer.signature, key: Buffer.from(k).toString('base64') }
      return { type: 'dealer-complaint', ...body, signature: signDigest(s.keys[2]!, complaintDigest(body)) }
    }
    expect(verifyDealerComplaint({ complaint: claim(key), config: s.config }).verdict).toBe('complainant')
    expect(verifyDealerComplaint({ complaint: claim(new Uint8Array(32).fill(7)), config: s.config }).verdict).toBe('unproven')
    const altered = Uint8Array.from(fromDealer.ciphertext)
    altered[50]! ^= 1
    expect(() => verifyDealerComplaint({ complaint: claim(key, altered), config: s.config })).toThrow(expect.objectContaining({ code: 'MPC_BAD_SIGNATURE' }))
    // the coordinator refuses the false complaint and the liar stays expected to sum
    s.parties.forEach((p) => s.coordinator.bundleFor(p.address))
    expect(() => s.coordinator.receive(claim(key), T0 + 2000)).toThrow(expect.objectContaining({ code: 'MPC_BAD_COMPLAINT' }))
    expect(s.coordinator.receive(liar.sum(bundle), T0 + 2000)).toMatchObject({ outcome: 'accepted' })
  })
})
