/**
 * `krain id|group|policy` (issue 16) on a real anvil: an identity file written mode 0600 whose
 * secret is never printed, a group created, joined, proved against and left, and a 2-of-3 policy
 * change that one approver cannot publish alone.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Command } from 'commander'
import { createPublicClient, createWalletClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil, type Anvil } from '@krain/chain'
import { deployIdentityRegistries, policyHash, verifyMembershipProof, type MembershipProof } from '@krain/identity'
import { registerIdentityCommands } from '../src/cli/commands/identity.js'

const dir = mkdtempSync(join(tmpdir(), 'krain-id-cli-'))
let anvil: Anvil
let reg: { verifier: Address; groupRegistry: Address; policyRegistry: Address }

/** Run one command; returns its JSON output. */
async function krain(key: Hex, ...args: string[]): Promise<Record<string, unknown>> {
  const p = new Command('krain').option('--key <hex>').exitOverride()
  registerIdentityCommands(p)
  let printed = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write
  try {
    await p.parseAsync(['node', 'krain', '--key', key, ...args])
  } finally {
    process.stdout.write = write
  }
  return JSON.parse(printed) as Record<string, unknown>
}

beforeAll(async () => {
  anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  reg = await deployIdentityRegistries({ publicClient: createPublicClient({ chain: foundry, transport }) as never, walletClient: createWalletClient({ chain: foundry, transport, account: privateKeyToAccount(anvil.privateKeys[0]! as Hex) }) })
}, 120_000)
afterAll(async () => {
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('krain id / group / policy', () => {
  it('creates an identity, a group, proves membership locally and removes the member', async () => {
    const k = anvil.privateKeys[0]! as Hex
    const file = join(dir, 'identity.json')
    const created = await krain(k, 'id', 'new', '--out', file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const secret = (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret
    expect(JSON.stringify(created)).not.toContain(secret.slice(2))
    const shown = await krain(k, 'id', 'show', '--file', file)
    expect(shown.commitment).toBe(created.commitment)
    expect(shown.did).toBe(`did:pkh:eip155:31337:${privateKeyToAccount(k).address}`)

    const chain = ['--rpc', anvil.rpcUrl, '--registry', reg.groupRegistry]
    expect((await krain(k, 'group', 'create', ...chain, '--window', '60')).groupId).toBe('1')
    await krain(k, 'group', 'add', String(created.commitment), ...chain, '--group', '1')
    const { proof } = (await krain(k, 'group', 'prove', ...chain, '--group', '1', '--scope', 'model:m:epoch:1', '--message', 'hello', '--identity', file)) as { proof: MembershipProof }
    expect(await verifyMembershipProof(proof)).toBe(true)
    expect(JSON.stringify(proof)).not.toContain(BigInt(secret).toString())
    const removed = await krain(k, 'group', 'remove', String(created.commitment), ...chain, '--group', '1')
    expect(removed.index).toBe(0)
    await expect(krain(k, 'group', 'prove', ...chain, '--group', '1', '--scope', 's', '--message', 'm', '--identity', file)).rejects.toMatchObject({ code: 'IDENTITY_NOT_MEMBER' })
  })

  it('publishes a 2-of-3 policy change only with two approvals', async () => {
    const [a, b, c] = [1, 2, 3].map((i) => anvil.privateKeys[i]! as Hex)
    const file = join(dir, 'policy.json')
    writeFileSync(file, JSON.stringify({ defaults: { roles: ['agent'] } }))
    const chain = ['--rpc', anvil.rpcUrl, '--registry', reg.policyRegistry, '--id', 'gw']
    const approvers = [a, b, c].map((k) => privateKeyToAccount(k!).address).join(',')
    expect(await krain(a!, 'policy', 'propose', '--file', file, ...chain, '--approvers', approvers, '--threshold', '2')).toMatchObject({ created: true, version: 1 })
    writeFileSync(file, JSON.stringify({ defaults: { roles: ['agent', 'verifier'] } }))
    expect(await krain(a!, 'policy', 'show', '--file', file, ...chain)).toMatchObject({ matches: false })
    const { proposalId } = await krain(a!, 'policy', 'propose', '--file', file, ...chain)
    const noId = ['--rpc', anvil.rpcUrl, '--registry', reg.policyRegistry]
    await expect(krain(a!, 'policy', 'publish', String(proposalId), ...noId)).rejects.toThrow(/NotEnoughApprovals/)
    await krain(b!, 'policy', 'approve', String(proposalId), ...noId)
    await krain(c!, 'policy', 'publish', String(proposalId), ...noId)
    expect(await krain(a!, 'policy', 'show', '--file', file, ...chain)).toMatchObject({ matches: true, hash: policyHash({ defaults: { roles: ['agent', 'verifier'] } }), registry: { version: '2' } })
  })
})
