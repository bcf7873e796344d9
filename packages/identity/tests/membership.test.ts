import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Group, IdentityError, MemoryNullifierStore, RootHistory, createIdentity, generateMembershipProof, poseidon, terminateIdentityCurves, verifyMembershipProof, verifyMembershipRequest, type Identity, type MembershipProof } from '../src/index.js'

let alice: Identity, bob: Identity, carol: Identity
let group: Group
let proof: MembershipProof
const groupId = 7n

beforeAll(async () => {
  alice = await createIdentity(); bob = await createIdentity(); carol = await createIdentity()
  group = await Group.create([alice.commitment, bob.commitment, carol.commitment])
  proof = await generateMembershipProof({ identity: bob, group, groupId, scope: 'model:1:epoch:5', message: 'POST /v1/models/1/infer digest=abc' })
}, 60_000)
afterAll(terminateIdentityCurves)

describe('createIdentity', () => {
  it('commits with Poseidon(secret) and hides the secret from JSON', async () => {
    const id = await createIdentity(12345n)
    expect(id.commitment).toBe(await poseidon([12345n]))
    expect(id.secret).toBe(12345n)
    expect(JSON.stringify(id)).not.toContain('12345')
  })
  it('rejects a secret outside the field', async () => {
    await expect(createIdentity(-1n)).rejects.toThrow(RangeError)
    await expect(createIdentity(0n)).rejects.toThrow(RangeError)
  })
})

describe('Group', () => {
  it('removes by zeroing a leaf, which changes the root', async () => {
    const g = await Group.create([alice.commitment, bob.commitment])
    const r0 = g.root
    g.remove(0)
    expect(g.root).not.toBe(r0)
    expect(g.indexOf(alice.commitment)).toBe(-1)
    expect(() => g.proof(0)).toThrow(IdentityError)
  })
})

describe('generateMembershipProof', () => {
  it('produces a proof that verifies, for the group root', async () => {
    expect(proof.merkleRoot).toBe(group.root.toString())
    expect(await verifyMembershipProof(proof)).toBe(true)
  })
  it('refuses a proof whose message digest was altered', async () => {
    expect(await verifyMembershipProof({ ...proof, message: (BigInt(proof.message) + 1n).toString() })).toBe(false)
  })
  it('refuses a non-member with IDENTITY_NOT_MEMBER', async () => {
    const eve = await createIdentity()
    await expect(generateMembershipProof({ identity: eve, group, groupId, scope: 's', message: 'm' })).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
  })
  it('never contains the identity secret in the serialised proof', () => {
    const json = JSON.stringify(proof)
    expect(json).not.toContain(bob.secret.toString())
    expect(json).not.toContain(bob.secret.toString(16))
  })
  it('throws TypeError on a malformed proof', async () => {
    await expect(verifyMembershipProof({ ...proof, nullifier: 'x' })).rejects.toThrow(TypeError)
  })
})

describe('verifyMembershipRequest', () => {
  it('refuses a request whose digest differs from the proof', async () => {
    const roots = new RootHistory(3600); roots.update(group.root, 0)
    await expect(verifyMembershipRequest({ proof, message: 'another request', groupId, scope: 'model:1:epoch:5', roots, nullifiers: new MemoryNullifierStore(), now: 1 })).rejects.toMatchObject({ code: 'IDENTITY_MESSAGE_MISMATCH' })
  })
  it('allows at most maxUses uses of a nullifier per scope', async () => {
    const roots = new RootHistory(3600); roots.update(group.root, 0)
    const nullifiers = new MemoryNullifierStore()
    const args = { proof, message: 'POST /v1/models/1/infer digest=abc', groupId, scope: 'model:1:epoch:5', roots, nullifiers, now: 1 }
    expect(await verifyMembershipRequest(args)).toBe(1)
    await expect(verifyMembershipRequest(args)).rejects.toMatchObject({ code: 'IDENTITY_NULLIFIER_EXHAUSTED' })
    const ns2 = new MemoryNullifierStore()
    expect(await verifyMembershipRequest({ ...args, nullifiers: ns2, maxUses: 2 })).toBe(1)
    expect(await verifyMembershipRequest({ ...args, nullifiers: ns2, maxUses: 2 })).toBe(2)
    await expect(verifyMembershipRequest({ ...args, nullifiers: ns2, maxUses: 2 })).rejects.toMatchObject({ code: 'IDENTITY_NULLIFIER_EXHAUSTED' })
  })
  it('gives another nullifier in another epoch', async () => {
    const p2 = await generateMembershipProof({ identity: bob, group, groupId, scope: 'model:1:epoch:6', message: 'm' })
    expect(p2.nullifier).not.toBe(proof.nullifier)
    expect(await verifyMembershipProof(p2)).toBe(true)
  })
  it('refuses a removed member after the window, accepts within it', async () => {
    const g = await Group.create([alice.commitment, bob.commitment, carol.commitment])
    const roots = new RootHistory(600); roots.update(g.root, 0)
    const stale = await generateMembershipProof({ identity: carol, group: g, groupId, scope: 'e1', message: 'm' })
    g.remove(2); roots.update(g.root, 1000)
    await expect(generateMembershipProof({ identity: carol, group: g, groupId, scope: 'e1', message: 'm' })).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
    const args = { proof: stale, message: 'm', groupId, scope: 'e1', roots, nullifiers: new MemoryNullifierStore() }
    await expect(verifyMembershipRequest({ ...args, now: 1600 })).rejects.toMatchObject({ code: 'IDENTITY_ROOT_EXPIRED' })
    expect(await verifyMembershipRequest({ ...args, now: 1599 })).toBe(1)
    await expect(verifyMembershipRequest({ ...args, now: 1599, roots: new RootHistory(600) })).rejects.toMatchObject({ code: 'IDENTITY_UNKNOWN_ROOT' })
  })
})
