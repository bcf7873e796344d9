/**
 * @module store/driver
 * The small SQL surface the repository needs, implemented for SQLite (better-sqlite3) and
 * PostgreSQL (pg). Statements use `?` placeholders; the PostgreSQL driver numbers them.
 *
 * Notifications (`notify`/`subscribe`) tell the instances sharing a database that something
 * changed, so a waiter re-reads the store instead of polling it: PostgreSQL `LISTEN/NOTIFY`
 * (scoped to the connection's schema), an in-process emitter for SQLite (one process owns the
 * file). Sent inside a transaction, a notification is delivered only if and when it commits.
 */

/** A value bound to a statement parameter. */
export type SqlValue = string | number | bigint | Buffer | null

/** One row as returned by the driver. */
export type SqlRow = Record<string, unknown>

/** A connection (or a transaction on one). */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres'
  /** Rows of a query. */
  all(sql: string, params?: SqlValue[]): Promise<SqlRow[]>
  /** Number of rows changed by a statement. */
  run(sql: string, params?: SqlValue[]): Promise<number>
  /** Run `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>
  /** Run a multi-statement script (migrations). */
  exec(script: string): Promise<void>
  /**
   * Announce `payload` (≤ 4000 bytes) on `channel` to every subscriber of the database, on every
   * instance, this one included; inside a transaction, on commit (dropped on rollback).
   */
  notify(channel: string, payload: string): Promise<void>
  /**
   * Call `fn` with the payload of every notification on `channel`; resolves once listening, with
   * the function that stops. `fn('')` means notifications may have been lost (the listening
   * connection was re-established): re-read whatever is waited for.
   */
  subscribe(channel: string, fn: (payload: string) => void): Promise<() => void>
  close(): Promise<void>
}

/** A channel name: lower-case letters, digits, `_` and `-` (at most 32). */
export const CHANNEL_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/
