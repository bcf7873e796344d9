/**
 * @module startup-checks
 * What `npm start` / `krain serve` check before starting anvil and deploying: that the port is free
 * (a clear message saying how to choose another), and that no other live gateway uses the same data
 * directory (a lock file holding the owner's pid; a lock whose process is gone is stale and taken over).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { ConfigError } from './errors.js'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'

/** How to pick another port, for messages. */
export const choosePortHint = 'choose another port: `npm start -- --port 8788`, `npx krain serve --port 8788` or KRAIN_PORT=8788 (0 = any free port)'

/**
 * Fail fast when `host:port` cannot be bound (before the slow part of starting).
 * @param host - listen address
 * @param port - port (0 needs no check)
 * @throws {ConfigError} when the port is in use or not allowed, saying how to choose another
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const s = createServer()
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} on ${host} is already in use (another Krain gateway?)`, choosePortHint))
      else if (e.code === 'EACCES') reject(new ConfigError(`not allowed to listen on port ${port} on ${host}`, choosePortHint))
      else reject(new ConfigError(`cannot listen on ${host}:${port}: ${e.code ?? e.message}`, choosePortHint))
    })
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve()))
  })
}

/** The contents of `<dataDir>/gateway.lock`. */
export type DataDirLockInfo = { pid: number; startedAt: string; url?: string }

/** A held lock on a data directory. */
export type DataDirLock = { file: string; update: (info: Partial<DataDirLockInfo>) => void; release: () => void }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** What a lock file must hold to name its gateway (`url` is shown as written). */
const HeldLock = Type.Object({ pid: Type.Number(), url: Type.Optional(Type.Unknown()) })

/** The pid (and url) a lock file names, or `null` when it is missing, unreadable or names none. */
function readLock(file: string): Static<typeof HeldLock> | null {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
  return Value.Check(HeldLock, value) ? value : null
}

/**
 * Take `<dataDir>/gateway.lock` for this process.
 * @param dataDir - the gateway's data directory (created, mode 0700, if missing)
 * @returns the lock (release it on shutdown; `update` records the URL once listening)
 * @throws {ConfigError} when another live process holds the lock, naming its pid (and URL)
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, 'gateway.lock')
  let info: DataDirLockInfo = { pid: process.pid, startedAt: new Date().toISOString() }
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(info) + '\n', { flag: 'wx', mode: 0o600 })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e
    }
    const held = readLock(file) // unreadable or half-written: treated as stale below unless it names a live pid
    if (held && held.pid !== process.pid && alive(held.pid)) {
      throw new ConfigError(
        `data directory ${dataDir} is in use by another Krain gateway (pid ${held.pid}${held.url ? `, ${String(held.url)}` : ''})`,
        `stop that gateway, or give this one its own directory: KRAIN_DATA_DIR=<dir> (npm start -- --data-dir <dir>, npx krain serve --data-dir <dir>)`,
      )
    }
    rmSync(file, { force: true }) // stale: its process is gone
  }
  return {
    file,
    update: (more) => {
      info = { ...info, ...more }
      writeFileSync(file, JSON.stringify(info) + '\n', { mode: 0o600 })
    },
    release: () => {
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true }) // else already gone, or another's
    },
  }
}
