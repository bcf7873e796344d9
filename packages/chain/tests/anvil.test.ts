import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { ChainError, anvilBinaryPath, createChainClient, startAnvil, type Anvil } from '../src/index.js'

/** Running = exists and is not a zombie waiting to be reaped. */
const alive = (pid: number): boolean => {
  if (existsSync('/proc')) {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    } catch {
      return false
    }
  }
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startAnvil', () => {
  const started: Anvil[] = []
  afterAll(async () => {
    for (const a of started) await a.stop()
  })

  it('resolves the platform binary of @foundry-rs/anvil', () => {
    expect(anvilBinaryPath()).toMatch(/@foundry-rs[/\\]anvil-[a-z0-9]+-[a-z0-9]+[/\\]bin[/\\]anvil(\.exe)?$/)
  })

  it('starts two nodes on distinct free loopback ports and stops them', async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil({ chainId: 84532 })])
    started.push(a!, b!)
    expect(a!.port).not.toBe(b!.port)
    expect(a!.rpcUrl).toBe(`http://127.0.0.1:${a!.port}`)
    const ca = await createChainClient({ rpcUrl: a!.rpcUrl })
    const cb = await createChainClient({ rpcUrl: b!.rpcUrl })
    expect(ca.chain.id).toBe(31337)
    expect(cb.chain.id).toBe(84532)
    expect(cb.chain.name).toBe('Base Sepolia')
    // the dev keys are anvil's funded accounts
    const funded = await createChainClient({ rpcUrl: a!.rpcUrl, privateKey: a!.privateKeys[0]! })
    expect(funded.account!.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    expect(await ca.publicClient.getBalance({ address: funded.account!.address })).toBeGreaterThan(10n ** 21n)
    await a!.stop()
    await b!.stop()
    expect(alive(a!.pid)).toBe(false)
    expect(alive(b!.pid)).toBe(false)
    await a!.stop() // idempotent
  })

  it.each(['end', 'sigterm'])('does not leak the node when its parent ends without stop() (%s)', async (how) => {
    const script = join(import.meta.dirname, 'fixtures', 'start-and-exit.ts')
    const r = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', script, how], { cwd: join(import.meta.dirname, '..') }).catch((e: { stdout: string; signal?: string }) => e)
    const pid = Number(r.stdout.trim())
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
  }, 60_000)

  it('fails with CHAIN_ANVIL_START_FAILED when the binary is missing', async () => {
    const err = await startAnvil({ binary: '/nonexistent/anvil' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChainError)
    expect((err as ChainError).code).toBe('CHAIN_ANVIL_START_FAILED')
  })

  it('fails with CHAIN_ANVIL_START_FAILED when the port is taken', async () => {
    const a = await startAnvil()
    started.push(a)
    const err = await startAnvil({ port: a.port }).catch((e: unknown) => e)
    expect((err as ChainError).code).toBe('CHAIN_ANVIL_START_FAILED')
  })

  it('rejects bad parameters with RangeError / TypeError', async () => {
    await expect(startAnvil({ port: 70000 })).rejects.toThrow(RangeError)
    await expect(startAnvil({ chainId: 1.5 })).rejects.toThrow(TypeError)
  })
})
