/**
 * Issue 12.9: kill -9 of the process that started anvil (the gateway) must not leave anvil
 * running. No exit hook runs on SIGKILL; the watchdog in `@krain/chain`'s `startAnvil` does.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** Running = exists and is not a zombie. */
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

/** Resolves once `pid` is gone (polled; the test's own timeout bounds the wait). */
const gone = async (pid: number): Promise<void> => {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50))
}

describe('embedded anvil', () => {
  it.skipIf(process.platform === 'win32')('dies with its parent on kill -9', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/anvil-then-wait.ts', import.meta.url))
    const parent = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] })
    const pid = await new Promise<number>((resolve, reject) => {
      let out = ''
      parent.stdout!.on('data', (b: Buffer) => {
        out += b.toString()
        const m = /^(\d+)\n/.exec(out)
        if (m) resolve(Number(m[1]))
      })
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${out}`)))
    })
    expect(alive(pid)).toBe(true)
    const exited = new Promise((r) => parent.once('exit', r))
    parent.kill('SIGKILL')
    await exited
    await gone(pid)
    expect(alive(pid)).toBe(false)
  }, 60_000)
})
