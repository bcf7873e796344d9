/**
 * @module store/driver
 * The small SQL surface the repository needs, implemented for SQLite (better-sqlite3) and
 * PostgreSQL (pg). Statements use `?` placeholders; the PostgreSQL driver numbers them.
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
  close(): Promise<void>
}
