/**
 * @module mpc/mpc-service
 * MPC sessions on `@krain/mpc`'s {@link Coordinator} state machine, persisted in the store. The
 * coordinator is an untrusted relay: it holds only signed messages and AEAD ciphertexts, never a
 * party's key or plaintext share.
 *
 * Persistence is an event log: every accepted party message, every operator close and every
 * deadline-driven round change is appended (with its time) to `mpc_messages`, under a
 * compare-and-set on the session's version in `mpc_sessions` (which also keeps a small status
 * snapshot). Loading replays the log into a fresh coordinator: its transitions are deterministic
 * in (message, time) and its signatures are deterministic (RFC 6979), so the replayed state is
 * the state that was lost. This avoids re-serialising the whole state (hundreds of MB of
 * ciphertexts for large sessions) on every request. A restart, or another gateway instance on the
 * same PostgreSQL, resumes with nothing lost.
 *
 * Every transition is logged, in the order it happened: each request first
 * advances the coordinator to "now" (rounds whose deadline passed close), and when that changed
 * anything an `advance` event is logged *before* the request's own event. A `close` sent after a
 * deadline is thus replayed as advance-then-close, as it happened, and not as a forced close of
 * the earlier round. Each event also records the phase it left the session in; a replay that
 * reaches another phase is refused (`MPC_REPLAY_DIVERGED`) instead of serving a different state.
 *
 * Several instances: any instance serves any party. Before each request the instance reads the
 * session's version and, when another instance moved it, applies only the log entries written
 * since (ids sort by version). Two instances writing at once race on the compare-and-set: the
 * loser's attempt ran on a stale state, so it rebuilds from the log and runs the request again
 * (at most {@link MAX_ATTEMPTS} times, with a short random back-off) instead of failing the party's
 * request; a party message accepted meanwhile by the other instance is then a `duplicate`. Every
 * saved version is announced through the store (`mpc` channel: PostgreSQL `NOTIFY`), so a
 * long-poll on one instance wakes when another instance closes the round.
 */
import { EventEmitter } from 'node:events'
import { Coordinator, createSession, addressOf, type AggregateResult, type CoordinatorState, type CreateSessionParameters, type Hex, type SessionConfig } from '@krain/mpc'
import { ConflictError, GatewayError, NotFoundError } from '../errors.js'
import { KeyedLock } from '../keyed-lock.js'
import type { Metrics } from '../plugins/app/metrics.js'
import { decodeMpcState } from '../store/rows.js'
import { decodeLogEntry, encodeLogEntry, type MpcLogEntry } from './log-entry.js'
import type { MpcMessageRecord, Store } from '../store/types.js'

/** One entry of a session's log; `phase` (absent in logs written before it existed) is the phase it left. */
type MpcEvent = MpcLogEntry

type Loaded = { coord: Coordinator; version: number; creator: string; sig: string }

/** Parameters of {@link MpcService.create} (deadlines default to 10/20/30 minutes from now). */
export type CreateMpcSessionParameters = Omit<CreateSessionParameters, 'coordinator' | 'deadlines'> & { deadlines?: CreateSessionParameters['deadlines'] }

/** What a status request returns. */
export type MpcSessionStatus = ReturnType<Coordinator['status']> & { config: SessionConfig; creator: string }

const LOG = 'log'
/** Coordinators kept in memory (large sessions hold their ciphertexts); older ones are reloaded from the log on demand. */
const MAX_CACHED_SESSIONS = 16
const COORDINATOR = 'coordinator'
/** Attempts of one request when other instances keep winning the compare-and-set. */
export const MAX_ATTEMPTS = 32
/** Local event meaning "announcements may have been lost: every waiter re-reads". */
const RESYNC = Symbol('resync')
/** Log entries of one saved version have ids `<this>:<k>`, so all of them sort below `<this>;`. */
const versionKey = (id: string, version: number): string => `${id}:${String(version).padStart(10, '0')}`
const logId = (id: string, version: number, k: number): string => `${versionKey(id, version)}:${k}`
/** The version a log entry was written at (its id is {@link logId}), or undefined for another format. */
const versionOfLogId = (logEntryId: string): number | undefined => {
  const m = /:(\d{10}):\d+$/.exec(logEntryId)
  return m ? Number(m[1]) : undefined
}

/** The MPC coordinator of one gateway instance. */
export class MpcService {
  private readonly cache = new Map<string, Loaded>()
  private readonly locks = new KeyedLock()
  private readonly events = new EventEmitter().setMaxListeners(0)
  /** The store subscription that relays other instances' changes into {@link events}, held while someone waits. */
  private remote: Promise<(() => void) | undefined> | undefined
  private waiting = 0
  readonly coordinatorAddress: `0x${string}`

  readonly #clock: () => number

  /**
   * @param p - the store, the coordinator's identity key, metrics, and optionally a clock (ms since
   *   the epoch; `Date.now` by default; tests drive deadlines with it)
   */
  constructor(private readonly p: { store: Store; identityKey: Hex; metrics: Metrics; clock?: () => number }) {
    this.coordinatorAddress = addressOf(p.identityKey)
    this.#clock = p.clock ?? Date.now
  }

  /** Open a session with this gateway as coordinator. */
  async create(params: CreateMpcSessionParameters, creator: string, now = this.#clock()): Promise<SessionConfig> {
    const config = createSession({ ...params, coordinator: this.coordinatorAddress, deadlines: params.deadlines ?? { join: now + 10 * 60_000, share: now + 20 * 60_000, sum: now + 30 * 60_000 } })
    const coord = new Coordinator({ config, identityKey: this.p.identityKey })
    const sig = JSON.stringify(coord.status())
    await this.p.store.createMpcSession({ id: config.sessionId, creator, state: JSON.stringify({ config, status: coord.status() }), version: 0, createdAt: now, updatedAt: now })
    this.remember(config.sessionId, { coord, version: 0, creator, sig })
    this.p.metrics.mpcEvents.inc({ event: 'created' })
    return config
  }

  /** Session configuration, creator and progress (closing rounds whose deadline passed). */
  status(id: string): Promise<MpcSessionStatus> {
    return this.step(id, (c, _now, _log, s) => ({ ...c.status(), config: c.config, creator: s.creator }))
  }

  /**
   * Relay one party message (join, shares or sum-share). `wire`: the message's binary form as
   * received (`@krain/mpc` `encodeMessage`), logged instead of its JSON (see `log-entry.ts`).
   */
  async receive(id: string, message: unknown, wire?: Uint8Array): Promise<{ status: 'accepted' | 'duplicate'; phase: string }> {
    const r = await this.step(id, (c, now, log) => {
      const r = c.receive(message, now)
      if (r.outcome === 'accepted') log({ kind: 'receive', at: now, message, phase: r.phase, ...(wire ? { wire } : {}) })
      return r
    })
    if (r.outcome === 'accepted') this.p.metrics.mpcEvents.inc({ event: r.type })
    return { status: r.outcome, phase: r.phase }
  }

  /** The signed roster. */
  roster(id: string): Promise<ReturnType<Coordinator['roster']>> {
    return this.step(id, (c) => c.roster())
  }

  /** The ciphertexts addressed to `to`, with the signed contributor set. */
  inbox(id: string, to: `0x${string}`): Promise<ReturnType<Coordinator['bundleFor']>> {
    return this.step(id, (c) => c.bundleFor(to))
  }

  /** The aggregate. */
  result(id: string): Promise<AggregateResult> {
    return this.step(id, (c) => c.result())
  }

  /** Close the current round now (the session's creator or an admin decides). */
  close(id: string): Promise<{ phase: string }> {
    let round: string | undefined // the round this request closes, also when it runs again after a lost race
    return this.step(id, (c, now, log) => {
      round ??= c.phase
      if (c.phase !== round) return { phase: c.phase } // closed meanwhile (by another instance or its deadline): not the next one too
      const phase = c.closeRound(now)
      log({ kind: 'close', at: now, phase })
      return { phase }
    })
  }

  /**
   * Long-poll: resolve once the session's phase is one of `phases` (true) or after `timeoutMs`
   * (false). A change saved by any instance sharing the store wakes it (this instance's at once,
   * others' through the store's announcements); if announcements are unavailable, others'
   * changes are seen at the timeout.
   */
  async waitForPhase(id: string, phases: string[], timeoutMs: number): Promise<boolean> {
    const reached = async (): Promise<boolean> => phases.includes((await this.status(id)).phase)
    if (timeoutMs <= 0) return reached()
    const release = await this.hear() // listening before the first read: no change slips between them
    return new Promise<boolean>((resolve, reject) => {
      let settled = false
      const finish = (f: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.events.off(id, onChange)
        this.events.off(RESYNC, check)
        release()
        f()
      }
      const check = (): void =>
        void reached().then(
          (ok) => ok && finish(() => resolve(true)),
          (e: unknown) => finish(() => reject(e)),
        )
      const onChange = (phase: string): void => {
        if (phases.includes(phase)) finish(() => resolve(true))
      }
      const timer = setTimeout(
        () =>
          void reached().then(
            (ok) => finish(() => resolve(ok)),
            (e: unknown) => finish(() => reject(e)),
          ),
        timeoutMs,
      )
      timer.unref()
      this.events.on(id, onChange)
      this.events.on(RESYNC, check)
      check()
    })
  }

  /**
   * Relay the store's `mpc` announcements (other instances' saved versions) into the local
   * emitter while at least one request waits; returns the release function of this waiter.
   */
  private async hear(): Promise<() => void> {
    this.waiting++
    this.remote ??= this.p.store
      .subscribe('mpc', (payload) => {
        if (payload === '') return void this.events.emit(RESYNC)
        const [id, , phase] = payload.split(' ')
        if (id && phase) this.events.emit(id, phase)
      })
      .catch(() => undefined) // no announcements (database unreachable): waits end at their timeout
    await this.remote
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.waiting > 0) return
      const r = this.remote
      this.remote = undefined
      void r?.then((stop) => stop?.())
    }
  }

  /**
   * The coordinator's whole state as it stands, without advancing it (no deadline is applied, nothing
   * is written): rebuilt from the log when the session is not in memory. For operators and tests
   * (it holds every relayed ciphertext, so it can be large).
   */
  inspect(id: string): Promise<CoordinatorState> {
    return this.locks.run(id, async () => (await this.load(id)).coord.toJSON()) // under the lock: a catch-up never lands mid-request
  }

  /** Drop a session's in-memory coordinator; the next request rebuilds it from the log. */
  forget(id: string): void {
    if (!this.locks.has(id)) this.cache.delete(id)
  }

  /** Creator of a session (for authorisation). */
  async creatorOf(id: string): Promise<string> {
    const row = await this.p.store.getMpcSession(id)
    if (!row) throw new NotFoundError('MPC session', id)
    return row.creator
  }

  private remember(id: string, s: Loaded): void {
    this.cache.delete(id)
    this.cache.set(id, s)
    for (const old of this.cache.keys()) {
      if (this.cache.size <= MAX_CACHED_SESSIONS) break
      if (!this.locks.has(old)) this.cache.delete(old)
    }
  }

  private async load(id: string): Promise<Loaded> {
    const row = await this.p.store.getMpcSession(id)
    if (!row) throw new NotFoundError('MPC session', id)
    const cached = this.cache.get(id)
    if (cached && cached.version === row.version) return cached
    if (cached && cached.version < row.version) {
      // another instance moved it: apply only what it logged since (a failure rebuilds from the whole log)
      try {
        const since = await this.p.store.listMpcLogAfter(id, LOG, `${versionKey(id, cached.version)};`)
        cached.version = this.replay(id, cached.coord, since, cached.version)
        cached.sig = JSON.stringify(cached.coord.status())
        return cached
      } catch {
        this.cache.delete(id)
      }
    }
    const { config } = decodeMpcState(row.state, { table: 'mpc_sessions', id, column: 'state' })
    const coord = new Coordinator({ config, identityKey: this.p.identityKey })
    const log = (await this.p.store.listMpcMessages(id, COORDINATOR, LOG)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    // the log may be newer than the row read before it: the state is that of the last version logged
    const version = this.replay(id, coord, log, row.version)
    const loaded: Loaded = { coord, version, creator: row.creator, sig: JSON.stringify(coord.status()) }
    this.remember(id, loaded)
    return loaded
  }

  /** Apply log entries (in id order) to `coord`; returns the last version they carry (at least `version`). */
  private replay(id: string, coord: Coordinator, log: MpcMessageRecord[], version: number): number {
    for (const m of log) {
      const e = decodeLogEntry(m)
      if (e.kind === 'receive') coord.receive(e.message, e.at)
      else if (e.kind === 'close') coord.closeRound(e.at)
      else coord.advance(e.at)
      if (e.phase !== undefined && e.phase !== coord.phase) {
        throw new GatewayError('MPC_REPLAY_DIVERGED', { shortMessage: `replaying the log of session ${id.slice(0, 10)}… reached phase "${coord.phase}", the log says "${e.phase}"` })
      }
      version = Math.max(version, versionOfLogId(m.id) ?? version)
    }
    return version
  }

  /** Run `fn` on the session under its lock, then persist what changed. */
  private step<T>(id: string, fn: (c: Coordinator, now: number, log: (e: MpcEvent) => void, s: Loaded) => T): Promise<T> {
    return this.locks.run(id, () => this.apply(id, fn))
  }

  /**
   * Run `fn` on the session as stored and save what it changed; when another instance saved first
   * (the compare-and-set failed), `fn` ran on a stale state: rebuild and run it again.
   */
  private async apply<T>(id: string, fn: (c: Coordinator, now: number, log: (e: MpcEvent) => void, s: Loaded) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const s = await this.load(id)
      const now = this.#clock()
      const events: MpcEvent[] = []
      let out: { ok: true; value: T } | { ok: false; error: unknown }
      try {
        // deadlines first, logged before the request's own event (a replay makes them in this order)
        const before = JSON.stringify(s.coord.status())
        s.coord.advance(now)
        if (JSON.stringify(s.coord.status()) !== before) events.push({ kind: 'advance', at: now, phase: s.coord.phase })
        out = { ok: true, value: fn(s.coord, now, (e) => events.push(e), s) }
      } catch (e) {
        out = { ok: false, error: e } // a deadline may still have closed a round before the error: saved below
      }
      let saved: boolean
      try {
        saved = await this.save(id, s, events, now)
      } catch (e) {
        this.cache.delete(id)
        throw out.ok ? e : out.error
      }
      if (saved) {
        if (out.ok) return out.value
        throw out.error
      }
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError('MPC_CONCURRENT_UPDATE', `the session kept changing concurrently (${MAX_ATTEMPTS} attempts); retry the request`)
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)))
    }
  }

  /** Persist what changed (compare-and-set on the version); false, with the stale coordinator dropped, if another writer got there first. */
  private async save(id: string, s: Loaded, events: MpcEvent[], now: number): Promise<boolean> {
    const status = s.coord.status()
    const sig = JSON.stringify(status)
    if (sig === s.sig && events.length === 0) return true
    // A change with no logged cause came from a deadline: log it so a replay makes it too.
    if (events.length === 0) events.push({ kind: 'advance', at: now, phase: status.phase })
    const next = s.version + 1
    const messages: MpcMessageRecord[] = events.map((e, k) => ({
      id: logId(id, next, k),
      sessionId: id,
      round: LOG,
      sender: e.kind === 'receive' ? String((e.message as { from?: unknown }).from) : COORDINATOR,
      recipient: COORDINATOR,
      ...encodeLogEntry(e),
      createdAt: now,
    }))
    const snapshot = JSON.stringify({ config: s.coord.config, status })
    if (!(await this.p.store.updateMpcSession(id, s.version, snapshot, messages, now))) {
      this.cache.delete(id)
      return false
    }
    if (status.phase === 'done' && !s.sig.includes('"phase":"done"')) this.p.metrics.mpcEvents.inc({ event: 'completed' })
    s.version = next
    s.sig = sig
    this.events.emit(id, status.phase)
    // other instances' long-polls; the version is stored, so a lost announcement only delays them to their timeout
    await this.p.store.notify('mpc', `${id} ${next} ${status.phase}`).catch(() => undefined)
    return true
  }
}
