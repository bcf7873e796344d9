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
 */
import { EventEmitter } from 'node:events'
import { Coordinator, createSession, addressOf, type AggregateResult, type CoordinatorState, type CreateSessionParameters, type Hex, type SessionConfig } from '@krain/mpc'
import { ConflictError, GatewayError, NotFoundError } from '../errors.js'
import type { Metrics } from '../plugins/app/metrics.js'
import { decodeJson, decodeMpcState, MpcLogEvent } from '../store/rows.js'
import type { MpcMessageRecord, Store } from '../store/types.js'

/** One entry of a session's log; `phase` (absent in logs written before it existed) is the phase it left. */
type MpcEvent = MpcLogEvent

type Loaded = { coord: Coordinator; version: number; creator: string; sig: string }

/** Parameters of {@link MpcService.create} (deadlines default to 10/20/30 minutes from now). */
export type CreateMpcSessionParameters = Omit<CreateSessionParameters, 'coordinator' | 'deadlines'> & { deadlines?: CreateSessionParameters['deadlines'] }

/** What a status request returns. */
export type MpcSessionStatus = ReturnType<Coordinator['status']> & { config: SessionConfig; creator: string }

const LOG = 'log'
/** Coordinators kept in memory (large sessions hold their ciphertexts); older ones are reloaded from the log on demand. */
const MAX_CACHED_SESSIONS = 16
const COORDINATOR = 'coordinator'

/** The MPC coordinator of one gateway instance. */
export class MpcService {
  private readonly cache = new Map<string, Loaded>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly events = new EventEmitter().setMaxListeners(0)
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

  /** Relay one party message (join, shares or sum-share). */
  receive(id: string, message: unknown): Promise<{ status: 'accepted' | 'duplicate'; phase: string }> {
    return this.step(id, (c, now, log) => {
      const r = c.receive(message, now)
      if (r.outcome === 'accepted') {
        log({ kind: 'receive', at: now, message, phase: r.phase })
        this.p.metrics.mpcEvents.inc({ event: r.type })
      }
      return { status: r.outcome, phase: r.phase }
    })
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
    return this.step(id, (c, now, log) => {
      const phase = c.closeRound(now)
      log({ kind: 'close', at: now, phase })
      return { phase }
    })
  }

  /**
   * Long-poll: resolve once the session's phase is one of `phases` (true) or after `timeoutMs`
   * (false). Changes made by this instance wake it at once; others are seen at the timeout.
   */
  async waitForPhase(id: string, phases: string[], timeoutMs: number): Promise<boolean> {
    const now = async (): Promise<boolean> => phases.includes((await this.status(id)).phase)
    if (await now()) return true
    if (timeoutMs <= 0) return false
    return new Promise<boolean>((resolve, reject) => {
      const done = (v: boolean): void => {
        clearTimeout(timer)
        this.events.off(id, onChange)
        resolve(v)
      }
      const onChange = (phase: string): void => {
        if (phases.includes(phase)) done(true)
      }
      const timer = setTimeout(() => {
        this.events.off(id, onChange)
        now().then(resolve, reject)
      }, timeoutMs)
      timer.unref()
      this.events.on(id, onChange)
    })
  }

  /**
   * The coordinator's whole state as it stands, without advancing it (no deadline is applied, nothing
   * is written): rebuilt from the log when the session is not in memory. For operators and tests
   * (it holds every relayed ciphertext, so it can be large).
   */
  async inspect(id: string): Promise<CoordinatorState> {
    return (await this.load(id)).coord.toJSON()
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
    const { config } = decodeMpcState(row.state, { table: 'mpc_sessions', id, column: 'state' })
    const coord = new Coordinator({ config, identityKey: this.p.identityKey })
    const log = (await this.p.store.listMpcMessages(id, COORDINATOR, LOG)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    for (const m of log) {
      const e = decodeJson(MpcLogEvent, m.payload, { table: 'mpc_messages', id: m.id, column: 'payload' })
      if (e.kind === 'receive') coord.receive(e.message, e.at)
      else if (e.kind === 'close') coord.closeRound(e.at)
      else coord.advance(e.at)
      if (e.phase !== undefined && e.phase !== coord.phase) {
        throw new GatewayError('MPC_REPLAY_DIVERGED', { shortMessage: `replaying the log of session ${id.slice(0, 10)}… reached phase "${coord.phase}", the log says "${e.phase}"` })
      }
    }
    const loaded: Loaded = { coord, version: row.version, creator: row.creator, sig: JSON.stringify(coord.status()) }
    this.remember(id, loaded)
    return loaded
  }

  /** Run `fn` on the session under its lock, then persist what changed. */
  private step<T>(id: string, fn: (c: Coordinator, now: number, log: (e: MpcEvent) => void, s: Loaded) => T): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve()
    const run = prev.catch(() => undefined).then(() => this.apply(id, fn))
    this.locks.set(id, run)
    void run
      .finally(() => {
        if (this.locks.get(id) === run) this.locks.delete(id)
      })
      .catch(() => undefined)
    return run
  }

  private async apply<T>(id: string, fn: (c: Coordinator, now: number, log: (e: MpcEvent) => void, s: Loaded) => T): Promise<T> {
    const s = await this.load(id)
    const now = this.#clock()
    const events: MpcEvent[] = []
    let out: T
    try {
      // deadlines first, logged before the request's own event (a replay makes them in this order)
      const before = JSON.stringify(s.coord.status())
      s.coord.advance(now)
      if (JSON.stringify(s.coord.status()) !== before) events.push({ kind: 'advance', at: now, phase: s.coord.phase })
      out = fn(s.coord, now, (e) => events.push(e), s)
    } catch (e) {
      await this.save(id, s, events, now).catch(() => this.cache.delete(id)) // a deadline may have closed a round before the error
      throw e
    }
    await this.save(id, s, events, now)
    return out
  }

  private async save(id: string, s: Loaded, events: MpcEvent[], now: number): Promise<void> {
    const status = s.coord.status()
    const sig = JSON.stringify(status)
    if (sig === s.sig && events.length === 0) return
    if (status.phase === 'done' && !s.sig.includes('"phase":"done"')) this.p.metrics.mpcEvents.inc({ event: 'completed' })
    // A change with no logged cause came from a deadline: log it so a replay makes it too.
    if (events.length === 0) events.push({ kind: 'advance', at: now, phase: status.phase })
    const next = s.version + 1
    const messages: MpcMessageRecord[] = events.map((e, k) => ({
      id: `${id}:${String(next).padStart(10, '0')}:${k}`,
      sessionId: id,
      round: LOG,
      sender: e.kind === 'receive' ? String((e.message as { from?: unknown }).from) : COORDINATOR,
      recipient: COORDINATOR,
      payload: JSON.stringify(e),
      createdAt: now,
    }))
    const snapshot = JSON.stringify({ config: s.coord.config, status })
    if (!(await this.p.store.updateMpcSession(id, s.version, snapshot, messages, now))) {
      this.cache.delete(id)
      throw new ConflictError('MPC_CONCURRENT_UPDATE', 'the session changed concurrently; retry the request')
    }
    s.version = next
    s.sig = sig
    this.events.emit(id, status.phase)
  }
}
