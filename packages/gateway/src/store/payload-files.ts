/**
 * @module store/payload-files
 * Large MPC log payloads of a SQLite store, kept as files beside the database (`<db>-payloads/`,
 * like SQLite's own `-wal` and `-shm` sidecars; copy them together).
 *
 * Why: SQLite stores a multi-megabyte blob as a chain of overflow pages. An 8 MB share upload was
 * copied twice inside SQLite (the bound parameter, then the record), written to the WAL as 2,000
 * page frames, and copied again into the database file by the next checkpoint: ~45 ms of the
 * gateway's one thread per upload, 10 per session of 10 hospitals (measured in
 * `npm run bench -- gateway-load`). A file is one write, done on libuv's thread pool, so the event
 * loop keeps serving other parties meanwhile. PostgreSQL stores keep `bytea` (every instance must
 * read every payload), and so does an in-memory SQLite database (nothing outlives it).
 *
 * Durability and atomicity: a payload is written to a temporary file, flushed to disk and renamed
 * to its final name *before* the transaction that references it commits, so a committed row never
 * names a missing or partial file. A transaction that does not commit removes the files it wrote;
 * a crash between the rename and the commit leaves an unreferenced file, which
 * {@link PayloadFiles.sweep} removes when the store opens. A file that was changed or cut short
 * later is refused when read (its length is stored with its name), and its content is covered by
 * the message signatures the coordinator checks again when it replays the log.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreRowError } from './rows.js'

/** Payloads from this size go to files; smaller ones stay in their row. */
export const PAYLOAD_FILE_FROM = 256 * 1024

/** Files younger than this are never swept (another process may be about to commit their row). */
const SWEEP_AFTER_MS = 60 * 60_000

/** A row's reference to its payload file: `<name>:<length>`. */
const REF = /^([0-9a-f]{32}):(\d{1,15})$/

/** The payload files of one SQLite database. */
export class PayloadFiles {
  readonly dir: string

  /** @param databasePath - the SQLite file; its payloads live in `<databasePath>-payloads/` (created, mode 0700) */
  constructor(databasePath: string) {
    this.dir = `${databasePath}-payloads`
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
  }

  /**
   * Write `bytes` durably under a fresh name.
   * @returns the reference to store in the row (`<name>:<length>`)
   */
  async write(bytes: Uint8Array): Promise<string> {
    const name = randomBytes(16).toString('hex')
    const tmp = join(this.dir, `${name}.tmp`)
    const fh = await open(tmp, 'wx', 0o600)
    try {
      let at = 0
      while (at < bytes.length) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten
      await fh.datasync()
    } catch (e) {
      await fh.close().catch(() => undefined)
      await rm(tmp, { force: true })
      throw e
    }
    await fh.close()
    await rename(tmp, join(this.dir, name))
    return `${name}:${bytes.length}`
  }

  /**
   * The bytes a row's reference names.
   * @throws {StoreRowError} when the reference is malformed, the file is missing, or its length differs
   */
  async read(ref: string, at: { table: string; id: string }): Promise<Uint8Array> {
    const m = REF.exec(ref)
    const fail = (reason: string): never => {
      throw new StoreRowError({ ...at, column: 'payload_file', reason })
    }
    if (!m) return fail(`not a payload reference: ${JSON.stringify(ref)}`)
    let bytes: Buffer
    try {
      bytes = await readFile(join(this.dir, m[1]!))
    } catch (e) {
      return fail(`its payload file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
    }
    if (bytes.length !== Number(m[2])) fail(`its payload file holds ${bytes.length} bytes, not ${m[2]}`)
    return bytes
  }

  /** Remove the files of references that were not committed. */
  async discard(refs: string[]): Promise<void> {
    await Promise.all(refs.map((r) => REF.exec(r)).map((m) => (m ? rm(join(this.dir, m[1]!), { force: true }) : undefined)))
  }

  /**
   * Remove files no row references (left by a crash between a payload's rename and its
   * transaction's commit, or a temporary file of a write cut short), once they are an hour old.
   * @param referenced - the names (`<name>` of `<name>:<length>`) the database references
   * @param now - the current time (ms)
   * @returns how many files were removed
   */
  async sweep(referenced: ReadonlySet<string>, now = Date.now()): Promise<number> {
    let removed = 0
    for (const f of await readdir(this.dir)) {
      if (referenced.has(f)) continue
      const at = join(this.dir, f)
      const s = await stat(at).catch(() => undefined)
      if (!s || now - s.mtimeMs < SWEEP_AFTER_MS) continue
      await rm(at, { force: true })
      removed++
    }
    return removed
  }

  /** The name part of a reference. */
  static nameOf(ref: string): string | undefined {
    return REF.exec(ref)?.[1]
  }
}
