/**
 * Store back ends under test: SQLite always; PostgreSQL when KRAIN_TEST_DATABASE_URL is set
 * (.ci/run sets it; locally: `source .ci/postgres.sh`). Each PostgreSQL store gets its own schema.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openStore } from '../../src/store/sql-store.js'
import type { Store } from '../../src/store/types.js'

export const pgUrl = process.env.KRAIN_TEST_DATABASE_URL

if (!pgUrl) console.warn('[gateway tests] KRAIN_TEST_DATABASE_URL is not set: PostgreSQL store tests are SKIPPED (run `source .ci/postgres.sh`)')

export type Backend = { name: 'sqlite' | 'postgres'; open: () => Promise<{ store: Store; databaseUrl: string; schema?: string; drop: () => Promise<void> }> }

export const backends: Backend[] = [
  {
    name: 'sqlite',
    open: async () => ({ store: await openStore(':memory:'), databaseUrl: ':memory:', drop: async () => undefined }),
  },
  ...(pgUrl
    ? [
        {
          name: 'postgres' as const,
          open: async () => {
            const schema = `krain_test_${randomBytes(6).toString('hex')}`
            return { store: await openStore(pgUrl, { schema }), databaseUrl: pgUrl, schema, drop: () => dropSchema(schema) }
          },
        },
      ]
    : []),
]

/** Drop a test schema. */
export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl })
  await c.connect()
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await c.end()
}
