import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { createChainClient, inferenceRegistryAbi, startAnvil, verifierCircuits, type Anvil } from '@krain/chain'

const contractsDir = join(import.meta.dirname, '..')
const run = (args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KRAIN_'))) as Record<string, string>
  return promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/deploy.ts', ...args], { cwd: contractsDir, env: { ...clean, ...env } })
}

describe('scripts/deploy.ts', () => {
  let anvil: Anvil | undefined
  const tmp = mkdtempSync(join(tmpdir(), 'krain-deploy-'))
  afterAll(async () => {
    await anvil?.stop()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('without KRAIN_RPC_URL deploys to its own anvil, prints the addresses and exits cleanly', async () => {
    const { stdout, stderr } = await run([], {})
    const out = JSON.parse(stdout) as { chainId: number; registry: string; verifiers: Record<string, string> }
    expect(out.chainId).toBe(31337)
    expect(out.registry).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(Object.keys(out.verifiers).sort()).toEqual(verifierCircuits())
    expect(stderr).toMatch(/started anvil at http:\/\/127\.0\.0\.1:\d+/)
  }, 60_000)

  it('with KRAIN_RPC_URL and KRAIN_PRIVATE_KEY deploys there, owned by --owner, and writes the record', async () => {
    anvil = await startAnvil({ chainId: 84532 })
    const owner = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    const file = join(tmp, 'base-sepolia.json')
    await run(['--owner', owner, '--circuits', 'inference_logistic', '--out', file], { KRAIN_RPC_URL: anvil.rpcUrl, KRAIN_PRIVATE_KEY: anvil.privateKeys[1]! })
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { chainId: number; chain: string; registry: `0x${string}`; verifiers: Record<string, string> }
    expect(rec).toMatchObject({ chainId: 84532, chain: 'Base Sepolia' })
    expect(Object.keys(rec.verifiers)).toEqual(['inference_logistic'])
    const client = await createChainClient({ rpcUrl: anvil.rpcUrl })
    expect(await client.publicClient.readContract({ address: rec.registry, abi: inferenceRegistryAbi, functionName: 'owner' })).toBe(owner)
  }, 60_000)
})
