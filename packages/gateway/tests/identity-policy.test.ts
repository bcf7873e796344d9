/**
 * Issue 16, policy held on-chain, on a real anvil: the gateway serves only the policy document
 * whose hash `PolicyRegistry` records (an edit on disk alone is refused with 503 POLICY_MISMATCH,
 * at once and after a restart), a 2-of-3 change cannot be published by one approver, a published
 * change is picked up by the guard's check; ABAC attributes come only from EIP-712 credentials of
 * the issuer the policy names (forged, tampered, foreign and expired ones are refused).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createPublicClient, createWalletClient, http, type Address, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil, type Anvil } from '@krain/chain'
import { deployIdentityRegistries, didPkh, issueCredential, policyHash, policyIdOf, policyRegistryAbi } from '@krain/identity'
import { identitySettingsFromEnv } from '../src/identity/settings.js'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'

const dir = mkdtempSync(join(tmpdir(), 'krain-policy-'))
const policyFile = join(dir, 'policy.json')
const issuer = privateKeyToAccount(generatePrivateKey())
const forger = privateKeyToAccount(generatePrivateKey())
const doc1 = {
  defaults: { roles: ['agent'], models: ['*'] },
  credentials: { issuers: [didPkh(31337, issuer.address)], rules: [{ match: { role: 'clinician', region: 'eu' }, grant: { roles: ['hospital'], sessions: ['*'] } }] },
}
const doc2 = { ...doc1, subjects: { [didPkh(31337, wallet(7).address)]: { roles: ['hospital'], sessions: ['*'] } } }
let anvil: Anvil
let pub: ReturnType<typeof createPublicClient>
let approvers: ReturnType<typeof createWalletClient>[]
let registry: Address
let gw: FastifyInstance

async function tx(w: ReturnType<typeof createWalletClient>, functionName: 'createPolicy' | 'propose' | 'approve' | 'execute', args: readonly unknown[]): Promise<bigint | undefined> {
  const { request, result } = await pub.simulateContract({ address: registry, abi: policyRegistryAbi, functionName, args: args as never, account: w.account! })
  const r = await pub.waitForTransactionReceipt({ hash: await w.writeContract(request as never) })
  expect(r.status).toBe('success')
  return result as bigint | undefined
}
const start = (): Promise<FastifyInstance> => testGateway({ config: { policyFile } })
const mpcBody = { parties: [wallet(20).address, wallet(21).address, wallet(22).address], threshold: 2, length: 4, bound: 1000, timeoutsMs: { join: 600_000, share: 600_000, sum: 600_000 } }
const createSession = (token: string, credential?: unknown): Promise<{ statusCode: number; json(): unknown }> =>
  gw.inject({ method: 'POST', url: '/v1/mpc/sessions', headers: { ...bearer(token), ...(credential ? { 'x-krain-credential': Buffer.from(JSON.stringify(credential)).toString('base64url') } : {}) }, payload: mpcBody })
const probe = async (token: string): Promise<string> => {
  const r = await gw.inject({ method: 'GET', url: '/v1/jobs/no-such-job', headers: bearer(token) })
  return (r.json() as { code: string }).code
}

beforeAll(async () => {
  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  pub = createPublicClient({ chain: foundry, transport })
  approvers = [1, 2, 3].map((i) => createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[i]! as Hex) }))
  const admin = createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[0]! as Hex) })
  registry = (await deployIdentityRegistries({ publicClient: pub as never, walletClient: admin })).policyRegistry
  await tx(admin, 'createPolicy', [policyIdOf('gateway-main'), policyHash(doc1), approvers.map((a) => a.account!.address), 2])
  writeFileSync(policyFile, JSON.stringify(doc1, null, 2))
  process.env.KRAIN_POLICY_REGISTRY_ADDRESS = registry
  process.env.KRAIN_POLICY_ID = 'gateway-main'
  process.env.KRAIN_IDENTITY_RPC_URL = anvil.rpcUrl
  gw = await start()
}, 120_000)

afterAll(async () => {
  await gw?.close()
  await anvil?.stop()
  for (const k of ['KRAIN_POLICY_REGISTRY_ADDRESS', 'KRAIN_POLICY_ID', 'KRAIN_IDENTITY_RPC_URL']) delete process.env[k]
  rmSync(dir, { recursive: true, force: true })
})

describe('policy held on-chain', () => {
  it('serves the published policy (re-indenting the file changes nothing) and refuses one edited on disk only', async () => {
    const token = await signInWith(gw, wallet(7))
    expect(await probe(token)).toBe('NOT_FOUND')
    writeFileSync(policyFile, JSON.stringify(doc1)) // same content, other bytes: same canonical hash
    expect((await gw.policyGuard!.refresh()).state).toBe('match')
    writeFileSync(policyFile, JSON.stringify(doc2))
    expect((await gw.policyGuard!.refresh()).state).toBe('mismatch')
    const refused = await gw.inject({ method: 'GET', url: '/v1/jobs/no-such-job', headers: bearer(token) })
    expect(refused.statusCode).toBe(503)
    expect(refused.json()).toMatchObject({ code: 'POLICY_MISMATCH' })
    expect((await gw.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200) // public routes still answer
    await gw.close()
    gw = await start() // a restart does not make the edit acceptable (signing in, a public route, still works)
    expect(await probe(await signInWith(gw, wallet(7)))).toBe('POLICY_MISMATCH')
  })

  it('needs 2 of 3 approvers to publish a change; once published, the edited file is served', async () => {
    const id = policyIdOf('gateway-main')
    const addrs = approvers.map((a) => a.account!.address)
    const proposal = (await tx(approvers[0]!, 'propose', [id, policyHash(doc2), addrs, 2]))!
    await expect(pub.simulateContract({ address: registry, abi: policyRegistryAbi, functionName: 'execute', args: [proposal], account: approvers[0]!.account! })).rejects.toThrow(/PolicyRegistry__NotEnoughApprovals/)
    await expect(pub.simulateContract({ address: registry, abi: policyRegistryAbi, functionName: 'approve', args: [proposal], account: approvers[0]!.account! })).rejects.toThrow(/PolicyRegistry__AlreadyApproved/)
    expect(await probe(await signInWith(gw, wallet(7)))).toBe('POLICY_MISMATCH')
    await tx(approvers[1]!, 'approve', [proposal])
    await tx(approvers[2]!, 'execute', [proposal])
    const s = await gw.policyGuard!.refresh()
    expect(s).toMatchObject({ state: 'match', chainVersion: 2, fileHash: policyHash(doc2) })
    // doc2 names wallet 7 by its DID as a hospital: it may now create an MPC session
    const token = await signInWith(gw, wallet(7))
    expect(await probe(token)).toBe('NOT_FOUND')
    expect((await createSession(token)).statusCode).toBe(201)
  })

  it("grants a credential's attributes only when the policy's issuer signed it for this caller and it has not expired", async () => {
    const caller: PrivateKeyAccount = wallet(8)
    const token = await signInWith(gw, caller)
    const now = Math.floor(Date.now() / 1000)
    const attributes = { role: 'clinician', region: 'eu', organisation: 'st-mary' }
    const valid = await issueCredential({ issuer, subject: didPkh(31337, caller.address), attributes, expiry: now + 3600, chainId: 31337 })
    const denied = await createSession(token)
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'POLICY_DENIED' })
    expect((await createSession(token, valid)).statusCode).toBe(201)

    const cases: [string, unknown, number, string][] = [
      ['forged (untrusted issuer)', await issueCredential({ issuer: forger, subject: didPkh(31337, caller.address), attributes, expiry: now + 3600, chainId: 31337 }), 403, 'IDENTITY_UNTRUSTED_ISSUER'],
      ['forged (issuer field swapped)', { ...(await issueCredential({ issuer: forger, subject: didPkh(31337, caller.address), attributes, expiry: now + 3600, chainId: 31337 })), issuer: issuer.address }, 401, 'IDENTITY_BAD_CREDENTIAL'],
      ['tampered attributes', { ...(await issueCredential({ issuer, subject: didPkh(31337, caller.address), attributes: { ...attributes, role: 'visitor' }, expiry: now + 3600, chainId: 31337 })), attributes }, 401, 'IDENTITY_BAD_CREDENTIAL'],
      ['expired', await issueCredential({ issuer, subject: didPkh(31337, caller.address), attributes, expiry: now - 1, chainId: 31337 }), 401, 'IDENTITY_CREDENTIAL_EXPIRED'],
      ["another subject's", await issueCredential({ issuer, subject: didPkh(31337, wallet(9).address), attributes, expiry: now + 3600, chainId: 31337 }), 401, 'IDENTITY_BAD_CREDENTIAL'],
      ['not a credential', { hello: 'world' }, 401, 'IDENTITY_BAD_CREDENTIAL'],
    ]
    for (const [name, cred, status, code] of cases) {
      const r = await createSession(token, cred)
      expect(r.statusCode, name).toBe(status)
      if (code) expect(r.json(), name).toMatchObject({ code })
    }
  })
})

describe('identity settings', () => {
  it('name the variable that is wrong or missing', () => {
    expect(identitySettingsFromEnv({}, undefined)).toEqual({ pollMs: 5000 })
    expect(() => identitySettingsFromEnv({ KRAIN_GROUP_REGISTRY_ADDRESS: '0x12' }, 'http://x')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.stringContaining('KRAIN_GROUP_REGISTRY_ADDRESS') }))
    expect(() => identitySettingsFromEnv({ KRAIN_POLICY_ID: 'gw' }, 'http://x')).toThrow(expect.objectContaining({ details: expect.stringContaining('go together') }))
    expect(() => identitySettingsFromEnv({ KRAIN_GROUP_REGISTRY_ADDRESS: `0x${'1'.repeat(40)}` }, undefined)).toThrow(expect.objectContaining({ details: expect.stringContaining('KRAIN_IDENTITY_RPC_URL') }))
    expect(() => identitySettingsFromEnv({ KRAIN_POLICY_POLL_MS: '5' }, undefined)).toThrow(expect.objectContaining({ details: expect.stringContaining('KRAIN_POLICY_POLL_MS') }))
  })
})
