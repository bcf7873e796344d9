/**
 * @module store/postgres-driver
 * {@link SqlDriver} over a `pg` pool. `?` placeholders are rewritten to `$1, $2, …`; BIGINT
 * columns come back as JavaScript numbers (all our integers are below 2^53).
 */
import pg from 'pg'
import type { SqlDriver, SqlRow, SqlValue } from './driver.js'

pg.types.setTypeParser(20, (v: string) => Number(v)) // int8 → number

const numbered = new Map<string, string>()
function toPg(sql: string): string {
  let out = numbered.get(sql)
  if (out === undefined) {
    let i = 0
    out = sql.replace(/\?/g, () => `$${++i}`)
    numbered.set(sql, out)
  }
  return out
}

type Queryable = { query: (text: string, values?: unknown[]) => Promise<{ rows: SqlRow[]; rowCount: number | null }> }

function over(q: Queryable, tx: SqlDriver['transaction'], close: () => Promise<void>): SqlDriver {
  return {
    dialect: 'postgres',
    all: async (sql, params: SqlValue[] = []) => (await q.query(toPg(sql), params)).rows,
    run: async (sql, params: SqlValue[] = []) => (await q.query(toPg(sql), params)).rowCount ?? 0,
    transaction: tx,
    exec: async (script) => void (await q.query(script)),
    close,
  }
}

/**
 * Connect a pool to `url`. With `schema`, every connection uses that schema (created if
 * missing); the tests use it to isolate runs.
 */
export function openPostgres(url: string, { schema, max = 10 }: { schema?: string; max?: number } = {}): SqlDriver {
  const pool = new pg.Pool({ connectionString: url, max, ...(schema ? { options: `-c search_path=${schema}` } : {}) })
  pool.on('error', () => undefined) // an idle client's error must not crash the process; the next query reports it
  let ready: Promise<void> | undefined
  const ensureSchema = (): Promise<void> => (ready ??= schema ? pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).then(() => undefined) : Promise.resolve())
  const poolQ: Queryable = {
    query: async (text, values) => {
      await ensureSchema()
      const r = await pool.query(text, values)
      return { rows: r.rows as SqlRow[], rowCount: r.rowCount }
    },
  }
  const transaction = async <T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> => {
    await ensureSchema()
    const client = await pool.connect()
    const clientQ: Queryable = {
      query: async (text, values) => {
        const r = await client.query(text, values)
        return { rows: r.rows as SqlRow[], rowCount: r.rowCount }
      },
    }
    const txDriver: SqlDriver = over(clientQ, (f) => f(txDriver), async () => undefined)
    try {
      await client.query('BEGIN')
      const out = await fn(txDriver)
      await client.query('COMMIT')
      return out
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw e
    } finally {
      client.release()
    }
  }
  return over(poolQ, transaction, () => pool.end())
}
