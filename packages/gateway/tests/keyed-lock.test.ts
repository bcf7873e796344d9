import { describe, expect, it } from 'vitest'
import { KeyedLock } from '../src/keyed-lock.js'

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('KeyedLock', () => {
  it('runs the tasks of one key one at a time in order, other keys alongside; a failure does not stop the queue; idle keys are forgotten', async () => {
    const lock = new KeyedLock()
    const log: string[] = []
    const task = (name: string, ms: number, fail = false) => async (): Promise<string> => {
      log.push(`start ${name}`)
      await tick(ms)
      log.push(`end ${name}`)
      if (fail) throw new Error(name)
      return name
    }
    const a1 = lock.run('a', task('a1', 30))
    const a2 = lock.run('a', task('a2', 5, true))
    const a3 = lock.run('a', task('a3', 5))
    const b1 = lock.run('b', task('b1', 5))
    expect(lock.has('a')).toBe(true)
    expect(await b1).toBe('b1')
    expect(log).not.toContain('end a1') // b did not wait for a
    expect(await a1).toBe('a1')
    await expect(a2).rejects.toThrow('a2')
    expect(await a3).toBe('a3')
    expect(lock.has('a')).toBe(false) // released before the caller of the last task resumes
    // a's tasks never overlapped, and ran in the order queued
    expect(log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'))).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3'])
    await tick(0)
    expect(lock.has('a')).toBe(false)
    expect(lock.has('b')).toBe(false)
  })
})
