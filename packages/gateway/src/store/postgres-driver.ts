/**
 * @module store/postgres-driver
 * {@link SqlDriver} over a `pg` pool. `?` placeholders are rewritten to `$1, $2, …`; BIGINT
 * columns come back as JavaScript numbers (all our integers are below 2^53).
 *
 * Notifications are PostgreSQL `NOTIFY`s on a channel named after the connection's schema (so
 * two deployments, or two test schemas, in one database do not hear each other), heard through
 * one dedicated `LISTEN` connection per driver, opened on the first `subscribe`. If that
 * connection drops it is re-opened (backing off up to 5 s) and every subscriber is called with
 * `''`: notifications sent meanwhile were lost, so waiters re-read.
 */
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import pg from 'pg'
import { CHANNEL_PATTERN, type SqlDriver, type SqlRow, type SqlValue } from './driver.js'

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

type Notifications = { name: (channel: string) => Promise<string>; subscribe: SqlDriver['subscribe'] }

function over(q: Queryable, tx: SqlDriver['transaction'], close: () => Promise<void>, n: Notifications): SqlDriver {
  return {
    dialect: 'postgres',
    all: async (sql, params: SqlValue[] = []) => (await q.query(toPg(sql), params)).rows,
    run: async (sql, params: SqlValue[] = []) => (await q.query(toPg(sql), params)).rowCount ?? 0,
    transaction: tx,
    exec: async (script) => void (await q.query(script)),
    notify: async (channel, payload) => void (await q.query('SELECT pg_notify($1, $2)', [await n.name(channel), payload])),
    subscribe: n.subscribe,
    close,
  }
}

/** The PostgreSQL channel of `channel` in `schema` (identifiers are at most 63 bytes: longer names are hashed). */
const channelName = (schema: string, channel: string): string => {
  const name = `${schema}:${channel}`
  return Buffer.byteLength(name) <= 63 ? name : `krain_${createHash('sha256').update(name).digest('hex').slice(0, 48)}`
}
const quoted = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

/** The LISTEN side of a driver: one connection, re-opened when it drops. */
function listener(clientConfig: pg.ClientConfig, schemaOf: () => Promise<string>): Notifications & { close: () => Promise<void> } {
  const bus = new EventEmitter().setMaxListeners(0)
  const byName = new Map<string, string>()
  let schema: Promise<string> | undefined
  const name = async (channel: string): Promise<string> => {
    if (!CHANNEL_PATTERN.test(channel)) throw new TypeError(`"channel" expected ${String(CHANNEL_PATTERN)}, got ${JSON.stringify(channel)}`)
    const s = await (schema ??= schemaOf().catch((e: unknown) => {
      schema = undefined
      throw e
    }))
    const full = channelName(s, channel)
    byName.set(full, channel)
    return full
  }
  type Live = { client: pg.Client; listens: Map<string, Promise<void>> }
  let current: Promise<Live> | undefined
  let live: pg.Client | undefined
  let closed = false
  let backoff = 250
  let retry: NodeJS.Timeout | undefined

  const open = (): Promise<Live> =>
    (current ??= (async () => {
      const client = new pg.Client({ ...clientConfig, keepAlive: true, application_name: 'krain-listen' })
      client.on('error', () => lost(client))
      client.on('end', () => lost(client))
      client.on('notification', (m) => {
        const channel = byName.get(m.channel)
        if (channel !== undefined) bus.emit(channel, m.payload ?? '')
      })
      try {
        await client.connect()
      } catch (e) {
        current = undefined
        await client.end().catch(() => undefined)
        throw e
      }
      live = client
      return { client, listens: new Map() }
    })())

  const listen = async (channel: string): Promise<void> => {
    const l = await open()
    let p = l.listens.get(channel)
    if (!p) {
      p = name(channel).then(async (full) => void (await l.client.query(`LISTEN ${quoted(full)}`)))
      l.listens.set(channel, p)
      p.catch(() => l.listens.delete(channel))
    }
    await p
  }

  const reconnect = async (): Promise<void> => {
    retry = undefined
    if (closed) return
    const channels = bus.eventNames().map(String)
    try {
      for (const c of channels) await listen(c)
      backoff = 250
      for (const c of channels) bus.emit(c, '') // anything sent while no one listened is lost: re-read
    } catch {
      backoff = Math.min(5_000, backoff * 2)
      retry = setTimeout(() => void reconnect(), backoff)
      retry.unref()
    }
  }

  function lost(client: pg.Client): void {
    if (live !== client) return
    live = undefined
    current = undefined
    void client.end().catch(() => undefined)
    if (closed || bus.eventNames().length === 0 || retry) return
    retry = setTimeout(() => void reconnect(), backoff)
    retry.unref()
  }

  return {
    name,
    subscribe: async (channel, fn) => {
      if (closed) throw new TypeError('the store is closed')
      bus.on(channel, fn)
      try {
        await listen(channel)
      } catch (e) {
        bus.off(channel, fn)
        throw e
      }
      return () => void bus.off(channel, fn)
    },
    close: async () => {
      closed = true
      clearTimeout(retry)
      bus.removeAllListeners()
      const c = live
      live = undefined
      current = undefined
      await c?.end().catch(() => undefined)
    },
  }
}

/**
 * Connect a pool to `url`. With `schema`, every connection uses that schema (created if
 * missing); the tests use it to isolate runs.
 */
export function openPostgres(url: string, { schema, max = 10 }: { schema?: string; max?: number } = {}): SqlDriver {
  const clientConfig: pg.ClientConfig = { connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) }
  const pool = new pg.Pool({ ...clientConfig, max })
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
    const txDriver: SqlDriver = over(clientQ, (f) => f(txDriver), async () => undefined, notifications)
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
  const notifications = listener(clientConfig, async () => String((await poolQ.query('SELECT COALESCE(current_schema(), \'\') AS s')).rows[0]!.s))
  return over(poolQ, transaction, async () => {
    await notifications.close()
    await pool.end()
  }, notifications)
}
