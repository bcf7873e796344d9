/**
 * @module store/sqlite-driver
 * {@link SqlDriver} over better-sqlite3 (synchronous, one connection, WAL). Transactions are
 * serialised with a queue: while one is open, other statements wait for it, so an `await` inside
 * a transaction never lets another request's statement slip into it. Notifications stay in the
 * process (one process owns the file): they are emitted on the next turn of the event loop, those
 * sent inside a transaction after its `COMMIT` (none after a rollback).
 */
import { EventEmitter } from 'node:events'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { CHANNEL_PATTERN, type SqlDriver, type SqlRow, type SqlValue } from './driver.js'

/**
 * Open a SQLite database file (created with its directory if missing) or `:memory:`. The file is
 * created mode 0600 (its directory 0700), like the keys; SQLite gives its `-wal` and `-shm` files
 * the database file's mode. An existing file is narrowed to 0600.
 */
export function openSqlite(path: string): SqlDriver {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
    for (const side of ['-wal', '-shm', '-journal']) if (existsSync(path + side)) chmodSync(path + side, 0o600)
  }
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  const cache = new Map<string, Database.Statement>()
  const prepare = (sql: string): Database.Statement => {
    let s = cache.get(sql)
    if (!s) {
      s = db.prepare(sql)
      cache.set(sql, s)
    }
    return s
  }
  let gate: Promise<void> = Promise.resolve()
  const bus = new EventEmitter().setMaxListeners(0)
  /** Notifications sent inside the open transaction (transactions are serialised: one at a time). */
  let pending: [string, string][] = []
  const channelOf = (channel: string): string => {
    if (!CHANNEL_PATTERN.test(channel)) throw new TypeError(`"channel" expected ${String(CHANNEL_PATTERN)}, got ${JSON.stringify(channel)}`)
    return channel
  }
  const deliver = (channel: string, payload: string): void => void setImmediate(() => bus.emit(channel, payload))
  const subscribe: SqlDriver['subscribe'] = async (channel, fn) => {
    bus.on(channelOf(channel), fn)
    return () => void bus.off(channel, fn)
  }
  const direct = {
    all: (sql: string, params: SqlValue[] = []): SqlRow[] => {
      const st = prepare(sql)
      return st.reader ? (st.all(...params) as SqlRow[]) : (st.run(...params), [])
    },
    run: (sql: string, params: SqlValue[] = []): number => prepare(sql).run(...params).changes,
  }
  const inner: SqlDriver = {
    dialect: 'sqlite',
    all: async (sql, params) => direct.all(sql, params),
    run: async (sql, params) => direct.run(sql, params),
    transaction: (fn) => fn(inner), // nested: flattened into the outer transaction
    exec: async (script) => void db.exec(script),
    notify: async (channel, payload) => void pending.push([channelOf(channel), payload]),
    subscribe,
    close: async () => undefined,
  }
  const driver: SqlDriver = {
    dialect: 'sqlite',
    all: async (sql, params) => {
      await gate
      return direct.all(sql, params)
    },
    run: async (sql, params) => {
      await gate
      return direct.run(sql, params)
    },
    transaction: async (fn) => {
      const previous = gate
      let release!: () => void
      gate = new Promise<void>((r) => (release = r))
      await previous
      db.exec('BEGIN IMMEDIATE')
      pending = []
      try {
        const out = await fn(inner)
        db.exec('COMMIT')
        for (const [channel, payload] of pending) deliver(channel, payload)
        return out
      } catch (e) {
        db.exec('ROLLBACK')
        throw e
      } finally {
        pending = []
        release()
      }
    },
    exec: async (script) => {
      await gate
      db.exec(script)
    },
    notify: async (channel, payload) => deliver(channelOf(channel), payload),
    subscribe,
    close: async () => {
      await gate
      db.close()
    },
  }
  return driver
}
