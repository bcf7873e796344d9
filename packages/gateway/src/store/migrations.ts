/**
 * @module store/migrations
 * Ordered, append-only schema migrations shared by SQLite and PostgreSQL. `{{blob}}` becomes
 * BLOB or BYTEA. Each applied version is recorded in `krain_migrations`; a migration runs in a
 * transaction with its record, so a crash never leaves one half-applied.
 */
import type { SqlDriver } from './driver.js'

/** The migrations, in order. Never edit one that has shipped: append a new one. */
export const migrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE challenges (nonce TEXT PRIMARY KEY, address TEXT NOT NULL, message TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE TABLE he_keys (id TEXT PRIMARY KEY, owner TEXT NOT NULL, scheme TEXT NOT NULL, params TEXT NOT NULL, bundle {{blob}} NOT NULL, size BIGINT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE models (id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, spec TEXT NOT NULL, commitment TEXT, created_at BIGINT NOT NULL);
CREATE TABLE jobs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, model_id TEXT, state TEXT NOT NULL, input TEXT NOT NULL, result TEXT, error TEXT, tx_hash TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE outbox (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, locked_until BIGINT, last_error TEXT, result TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE mpc_sessions (id TEXT PRIMARY KEY, creator TEXT NOT NULL, state TEXT NOT NULL, version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE mpc_messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, round TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX mpc_messages_inbox ON mpc_messages (session_id, recipient, round);
`,
  },
  {
    version: 2,
    name: 'request-digests',
    sql: `
CREATE TABLE request_digests (digest TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE INDEX request_digests_expires ON request_digests (expires_at);
`,
  },
  {
    version: 3,
    name: 'model-meta',
    sql: `
ALTER TABLE models ADD COLUMN meta TEXT;
`,
  },
  {
    version: 15,
    name: 'identity-nullifiers',
    sql: `
CREATE TABLE identity_nullifiers (group_id TEXT NOT NULL, scope TEXT NOT NULL, nullifier TEXT NOT NULL, use_index INTEGER NOT NULL, used_at BIGINT NOT NULL, PRIMARY KEY (group_id, scope, nullifier, use_index));
`,
  },
  {
    version: 11,
    name: 'secret-contracts',
    sql: `
CREATE TABLE contracts (id TEXT PRIMARY KEY, owner TEXT NOT NULL, source TEXT NOT NULL, plan TEXT NOT NULL, hash TEXT NOT NULL, scheme TEXT NOT NULL, callers TEXT NOT NULL, rate_limit TEXT, tx_hash TEXT, created_at BIGINT NOT NULL);
CREATE TABLE contract_calls (contract_id TEXT NOT NULL, caller TEXT NOT NULL, called_at BIGINT NOT NULL);
CREATE INDEX contract_calls_window ON contract_calls (contract_id, caller, called_at);
`,
  },
  {
    version: 12,
    name: 'federated-sessions',
    sql: `
CREATE TABLE federated_sessions (id TEXT PRIMARY KEY, creator TEXT NOT NULL, config TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE federated_events (session_id TEXT NOT NULL, seq BIGINT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (session_id, seq));
`,
  },
  {
    version: 13,
    name: 'audit-logs',
    sql: `
CREATE TABLE audit_logs (session_id TEXT PRIMARY KEY, log TEXT NOT NULL, updated_at BIGINT NOT NULL);
`,
  },
  {
    version: 14,
    name: 'psi-sessions',
    sql: `
CREATE TABLE psi_sessions (id TEXT PRIMARY KEY, creator TEXT NOT NULL, config TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE psi_chunks (session_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, stream TEXT NOT NULL, idx INTEGER NOT NULL, last INTEGER NOT NULL, digest TEXT NOT NULL, data {{blob}} NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (session_id, sender, recipient, stream, idx));
`,
  },
  {
    version: 40,
    name: 'rate-limits',
    sql: `
CREATE TABLE rate_limits (key TEXT PRIMARY KEY, hits BIGINT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX rate_limits_expires ON rate_limits (expires_at);
`,
  },
  {
    version: 50,
    name: 'mpc-binary-messages',
    sql: `
ALTER TABLE mpc_messages ADD COLUMN payload_bin {{blob}};
`,
  },
  {
    version: 51,
    name: 'mpc-payload-files',
    // SQLite files keep large payloads beside the database (store/payload-files.ts): `<name>:<length>`
    sql: `
ALTER TABLE mpc_messages ADD COLUMN payload_file TEXT;
`,
  },
  {
    version: 52,
    name: 'models-by-commitment',
    // POST /v1/verify finds a batch receipt's model by its weight commitment
    sql: `
CREATE INDEX models_commitment ON models (commitment);
`,
  },
]

/**
 * Apply every migration newer than the database's version.
 * @returns the versions applied by this call
 */
export async function migrate(db: SqlDriver): Promise<number[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS krain_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
  const applied: number[] = []
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      if (db.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7201)') // two instances starting at once
      const rows = await tx.all('SELECT version FROM krain_migrations WHERE version = ?', [m.version])
      if (rows.length) return false
      await tx.exec(m.sql.replaceAll('{{blob}}', db.dialect === 'postgres' ? 'BYTEA' : 'BLOB'))
      await tx.run('INSERT INTO krain_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()])
      return true
    })
    if (done) applied.push(m.version)
  }
  return applied
}
