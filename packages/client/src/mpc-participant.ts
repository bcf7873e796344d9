/**
 * @module client/mpc-participant
 * A hospital's side of a secure-aggregation session against a gateway: join, share, sum, using
 * `@krain/mpc`'s {@link Party} locally. The identity key and the plaintext shares never leave the
 * process: only signed join/shares/sum-share messages (shares AEAD-encrypted to each recipient)
 * are sent. Waiting for a round to close is a server-side long poll (`?waitMs=`), not a sleep.
 *
 * The share-carrying messages (shares, sum-share, complaint), the inbox and the aggregate travel in their binary
 * form (`application/cbor`, `@krain/mpc` `encodeMessage`: share payloads as raw bytes, 1.03× the
 * raw share bytes instead of base64 JSON's 1.38×) unless `binary: false`; the signed fields are the
 * same either way. Against a gateway that does not take CBOR (415) the participant falls back to JSON.
 */
import { MESSAGE_MEDIA_TYPE, MpcDealerError, Party, decodeMessage, decodeResult, encodeMessageParts, toJsonForm, type AggregateResult, type Hex, type PartyState, type RosterMessage, type SessionConfig, type ShareBundle } from '@krain/mpc'
import { privateKeyToAccount } from 'viem/accounts'
import { KrainHttpError } from './errors.js'
import { GatewayHttp } from './http.js'

/** Progress events of {@link MpcParticipant.run}. */
export type MpcProgress = { step: 'joined' | 'roster' | 'shared' | 'inbox' | 'summed' | 'result'; detail?: string }

/** Parameters of {@link MpcParticipant}. */
export type MpcParticipantParameters = {
  /** Gateway base URL. */
  url: string
  /** Other instances of the same gateway deployment, for failover (see {@link GatewayHttp}); party messages are repeated safely. */
  baseUrls?: string[]
  /** Send shares and fetch the inbox in the binary form (default true); false: JSON only. */
  binary?: boolean
  /** The hospital's secp256k1 key (its wallet key): signs messages and signs in. Stays local. */
  privateKey: Hex
  /** Session to take part in. */
  sessionId: Hex
  /** Resume from a saved {@link MpcParticipant.toJSON} state (keep it private: it holds secrets). */
  state?: PartyState
  /** Long-poll length per request while waiting for a round (ms). */
  waitMs?: number
  /** Give up waiting for a round after this long (ms). */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** One hospital in one MPC session. */
export class MpcParticipant {
  readonly http: GatewayHttp
  readonly sessionId: Hex
  private readonly privateKey: Hex
  private party: Party | undefined
  private roster: RosterMessage | undefined
  private readonly waitMs: number
  private readonly timeoutMs: number

  /** Whether share-carrying messages go in the binary form (turned off when the gateway answers 415 to it). */
  private binary: boolean

  constructor({ url, baseUrls, privateKey, sessionId, state, waitMs = 20_000, timeoutMs = 10 * 60_000, fetch: f, binary = true }: MpcParticipantParameters) {
    this.binary = binary
    this.http = new GatewayHttp({ url, baseUrls, account: privateKeyToAccount(privateKey), fetch: f })
    this.privateKey = privateKey
    this.sessionId = sessionId
    this.waitMs = waitMs
    this.timeoutMs = timeoutMs
    if (state) this.party = Party.fromJSON(state, { identityKey: privateKey })
  }

  /** The party's state, to resume after a crash. Contains secrets: store it locally only. */
  toJSON(): PartyState | undefined {
    return this.party?.toJSON()
  }

  /** The session's configuration as published by the gateway (its id is the hash of its fields, checked by `Party`). */
  async config(): Promise<SessionConfig> {
    return (await this.http.request<{ config: SessionConfig }>('GET', `/v1/mpc/sessions/${this.sessionId}`)).config
  }

  /** Round 1: join with a fresh encryption key. */
  async join(): Promise<void> {
    if (!this.party) {
      const config = await this.config()
      if (config.sessionId !== this.sessionId) throw new KrainHttpError({ status: 400, code: 'MPC_WRONG_SESSION', message: 'the gateway returned another session' })
      this.party = new Party({ config, identityKey: this.privateKey })
    }
    await this.http.request('POST', `/v1/mpc/sessions/${this.sessionId}/join`, { body: { message: this.party.join() }, idempotent: true })
  }

  /** Round 2: wait for the roster, then upload this party's encrypted shares of `values`. */
  async share(values: ArrayLike<number>): Promise<void> {
    const party = this.requireParty()
    this.roster ??= await this.poll(() => this.http.request<RosterMessage>('GET', `/v1/mpc/sessions/${this.sessionId}/roster`, { query: { waitMs: this.waitMs } }))
    const message = party.share(values, this.roster)
    await this.send('shares', message)
  }

  /**
   * Round 3: wait for the contributor set, decrypt the shares sent to this party, upload the
   * sum-share. If a dealer signed an invalid share for this party, upload the signed complaint
   * that proves it instead (the gateway checks it and blames the dealer, not this party).
   * @returns `{ complainedAbout }` naming the dealer when a complaint was sent
   */
  async sum(): Promise<{ complainedAbout?: string }> {
    const party = this.requireParty()
    this.roster ??= await this.poll(() => this.http.request<RosterMessage>('GET', `/v1/mpc/sessions/${this.sessionId}/roster`, { query: { waitMs: this.waitMs } }))
    const bundle = await this.poll(() => this.fetchMessage<ShareBundle>(`/v1/mpc/sessions/${this.sessionId}/inbox`))
    let message
    try {
      message = party.sum(bundle, this.roster)
    } catch (e) {
      if (!(e instanceof MpcDealerError)) throw e
      await this.send('complaint', e.complaint)
      return { complainedAbout: e.dealer }
    }
    await this.send('sum-share', message)
    return {}
  }

  /**
   * Wait for the aggregate. A sum that no extra sum-share cross-checked (`verified: false`, only
   * released by sessions created with `allowUnverified: true`) is refused here too unless the
   * caller accepts it explicitly: one lying party could have changed it undetected.
   * @param options - `allowUnverified`: return such a sum instead of throwing
   * @throws KrainHttpError `MPC_RESULT_UNVERIFIED` (the gateway's, or this check's), or the session's failure
   */
  async result(options: { allowUnverified?: boolean } = {}): Promise<AggregateResult> {
    const r = await this.poll(() => this.fetchResult())
    if (r.verified !== true && options.allowUnverified !== true) {
      throw new KrainHttpError({
        status: 409,
        code: 'MPC_RESULT_UNVERIFIED',
        message: 'the aggregate was not cross-checked by any sum-share beyond the threshold: one lying party could have changed it',
        details: 'pass { allowUnverified: true } to accept it (the CLI: --allow-unverified)',
      })
    }
    return r
  }

  /** Close the current round now (only the session's creator or an admin may). */
  async closeRound(): Promise<string> {
    return (await this.http.request<{ phase: string }>('POST', `/v1/mpc/sessions/${this.sessionId}/close`)).phase
  }

  /**
   * All rounds: join, share `values`, sum, and return the aggregate.
   * @param values - this hospital's vector (|v| ≤ the session's bound)
   * @param onProgress - called after each step
   * @param options - `allowUnverified`: accept a sum that was not cross-checked (see {@link MpcParticipant.result})
   */
  async run(values: ArrayLike<number>, onProgress?: (p: MpcProgress) => void, options: { allowUnverified?: boolean } = {}): Promise<AggregateResult> {
    await this.join()
    onProgress?.({ step: 'joined' })
    await this.share(values)
    onProgress?.({ step: 'shared' })
    const { complainedAbout } = await this.sum()
    onProgress?.({ step: 'summed', ...(complainedAbout ? { detail: `complained about dealer ${complainedAbout}` } : {}) })
    const r = await this.result(options)
    onProgress?.({ step: 'result', detail: `${r.contributors.length} contributors, ${r.verified ? 'verified' : 'UNVERIFIED'}` })
    return r
  }

  private requireParty(): Party {
    if (!this.party) throw new KrainHttpError({ status: 409, code: 'MPC_WRONG_ROUND', message: 'join the session first' })
    return this.party
  }

  /**
   * Upload a party message to `/…/<route>`: in its binary form unless turned off. Party messages
   * are idempotent (the coordinator answers `duplicate` the second time).
   */
  private async send(route: 'shares' | 'sum-share' | 'complaint', message: unknown): Promise<void> {
    const path = `/v1/mpc/sessions/${this.sessionId}/${route}`
    if (this.binary) {
      try {
        await this.http.request('POST', path, { bytes: encodeMessageParts(message).parts, contentType: MESSAGE_MEDIA_TYPE, idempotent: true })
        return
      } catch (e) {
        if (!(e instanceof KrainHttpError) || e.httpStatus !== 415) throw e
        this.binary = false // a gateway without the binary transport: JSON from now on
      }
    }
    await this.http.request('POST', path, { body: { message: toJsonForm(message) }, idempotent: true })
  }

  /** GET a protocol message, in its binary form when the gateway serves it (else JSON). */
  private async fetchMessage<T>(path: string): Promise<T> {
    if (!this.binary) return this.http.request<T>('GET', path, { query: { waitMs: this.waitMs } })
    const { contentType, bytes } = await this.http.requestBytes('GET', path, { query: { waitMs: this.waitMs }, accept: `${MESSAGE_MEDIA_TYPE}, application/json;q=0.5` })
    return (contentType === MESSAGE_MEDIA_TYPE ? decodeMessage(bytes) : JSON.parse(new TextDecoder().decode(bytes))) as T
  }

  /** GET the aggregate, in its binary form (`decodeResult`) when the gateway serves it (else JSON). */
  private async fetchResult(): Promise<AggregateResult> {
    const path = `/v1/mpc/sessions/${this.sessionId}/result`
    if (!this.binary) return this.http.request<AggregateResult>('GET', path, { query: { waitMs: this.waitMs } })
    const { contentType, bytes } = await this.http.requestBytes('GET', path, { query: { waitMs: this.waitMs }, accept: `${MESSAGE_MEDIA_TYPE}, application/json;q=0.5` })
    return contentType === MESSAGE_MEDIA_TYPE ? decodeResult(bytes) : (JSON.parse(new TextDecoder().decode(bytes)) as AggregateResult)
  }

  /** Repeat a long-polling request while the round is not there yet. */
  private async poll<T>(f: () => Promise<T>): Promise<T> {
    const until = Date.now() + this.timeoutMs
    for (;;) {
      try {
        return await f()
      } catch (e) {
        if (!(e instanceof KrainHttpError) || e.code !== 'MPC_WRONG_ROUND' || Date.now() > until) throw e
      }
    }
  }
}
