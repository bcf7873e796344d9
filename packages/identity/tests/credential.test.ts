import { describe, expect, it } from 'vitest'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { didPkh, issueCredential, verifyCredential, type Credential } from '../src/index.js'

const issuer = privateKeyToAccount(generatePrivateKey())
const forger = privateKeyToAccount(generatePrivateKey())
const subject = didPkh(1, privateKeyToAccount(generatePrivateKey()).address)
const attributes = { role: 'analyst', region: 'eu', organisation: 'acme' }
const now = 1_800_000_000

describe('issueCredential / verifyCredential', () => {
  it('verifies a credential from a trusted issuer and returns its attributes', async () => {
    const c = await issueCredential({ issuer, subject, attributes, expiry: now + 3600, chainId: 1 })
    expect(await verifyCredential({ credential: c, trustedIssuers: [issuer.address], subject, now })).toEqual(attributes)
  })
  it('refuses an edited attribute (forged)', async () => {
    const c = await issueCredential({ issuer, subject, attributes, expiry: now + 3600, chainId: 1 })
    const forged: Credential = { ...c, attributes: { ...attributes, role: 'admin' } }
    await expect(verifyCredential({ credential: forged, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
  })
  it('refuses a credential signed by another key claiming the issuer', async () => {
    const c = await issueCredential({ issuer: forger, subject, attributes, expiry: now + 3600, chainId: 1 })
    await expect(verifyCredential({ credential: { ...c, issuer: issuer.address }, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
    await expect(verifyCredential({ credential: c, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_UNTRUSTED_ISSUER' })
  })
  it('refuses an expired credential and one for another subject', async () => {
    const c = await issueCredential({ issuer, subject, attributes, expiry: now, chainId: 1 })
    await expect(verifyCredential({ credential: c, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_CREDENTIAL_EXPIRED' })
    await expect(verifyCredential({ credential: { ...c, expiry: now + 10 }, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
    await expect(verifyCredential({ credential: c, trustedIssuers: [issuer.address], subject: didPkh(1, forger.address), now: now - 1 })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
  })
  it('refuses a credential replayed on another chain id', async () => {
    const c = await issueCredential({ issuer, subject, attributes, expiry: now + 3600, chainId: 1 })
    await expect(verifyCredential({ credential: { ...c, chainId: 8453 }, trustedIssuers: [issuer.address], now })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
  })
  it('throws a typed error for junk', async () => {
    await expect(verifyCredential({ credential: null as unknown as Credential, trustedIssuers: [], now })).rejects.toThrow(TypeError)
    await expect(verifyCredential({ credential: { issuer: 'x' } as unknown as Credential, trustedIssuers: [], now })).rejects.toMatchObject({ code: 'IDENTITY_BAD_CREDENTIAL' })
  })
})
