/**
 * @module client/http
 * A small JSON-over-HTTP client for the gateway (global `fetch`): signs in with a wallet through
 * the SIWE challenge, keeps the session token, signs in again when it expires, and turns error
 * bodies into {@link KrainHttpError}s.
 */
import type { LocalAccount } from 'viem/accounts'
import { KrainHttpError } from './errors.js'

/** Parameters of {@link GatewayHttp}. */
export type GatewayHttpParameters = {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string
  /** Wallet that signs in (keys stay local: only signatures leave). */
  account?: LocalAccount
  /** A session token obtained elsewhere. */
  token?: string
  /** Custom fetch (tests, proxies). */
  fetch?: typeof fetch
}

/** Options of one request. */
export type RequestOptions = { body?: unknown; query?: Record<string, string | number | undefined>; auth?: boolean; bytes?: Uint8Array }

/** Authenticated JSON requests to one gateway. */
export class GatewayHttp {
  readonly url: string
  readonly account: LocalAccount | undefined
  private token: string | undefined
  private signingIn: Promise<string> | undefined
  private readonly fetchFn: typeof fetch

  constructor({ url, account, token, fetch: f }: GatewayHttpParameters) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError(`"url" expected an http(s) URL, got ${JSON.stringify(url)}`)
    this.url = url.replace(/\/+$/, '')
    this.account = account
    this.token = token
    // a browser's fetch throws "Illegal invocation" when called as a method of another object
    this.fetchFn = f ?? ((input, init) => globalThis.fetch(input, init))
  }

  /** Sign in (SIWE) and keep the session token. */
  async signIn(): Promise<string> {
    if (!this.account) throw new TypeError('"account" is needed to sign in')
    this.signingIn ??= (async () => {
      const { message } = await this.request<{ message: string }>('POST', '/v1/auth/challenge', { body: { address: this.account!.address }, auth: false })
      const signature = await this.account!.signMessage({ message })
      const s = await this.request<{ token: string }>('POST', '/v1/auth/session', { body: { message, signature }, auth: false })
      this.token = s.token
      return s.token
    })().finally(() => (this.signingIn = undefined))
    return this.signingIn
  }

  /** One request; JSON in and out. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true
    if (auth && !this.token && this.account) await this.signIn()
    const send = async (): Promise<Response> => {
      const qs = opts.query ? Object.entries(opts.query).filter(([, v]) => v !== undefined) : []
      const url = `${this.url}${path}${qs.length ? `?${new URLSearchParams(qs.map(([k, v]): [string, string] => [k, String(v)]))}` : ''}`
      const headers: Record<string, string> = {}
      if (auth && this.token) headers.authorization = `Bearer ${this.token}`
      let body: string | Uint8Array<ArrayBuffer> | undefined
      if (opts.bytes) {
        headers['content-type'] = 'application/octet-stream'
        const b = opts.bytes // fetch takes bytes over an ArrayBuffer (a SharedArrayBuffer view is copied)
        body = b.buffer instanceof ArrayBuffer ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b.slice()
      } else if (opts.body !== undefined) {
        headers['content-type'] = 'application/json'
        body = JSON.stringify(opts.body)
      }
      return this.fetchFn(url, { method, headers, ...(body !== undefined ? { body } : {}) })
    }
    let res = await send()
    if (res.status === 401 && auth && this.account) {
      const code = ((await res.clone().json().catch(() => ({}))) as { code?: string }).code
      if (code === 'AUTH_SESSION_EXPIRED' || code === 'AUTH_REQUIRED') {
        await this.signIn()
        res = await send()
      }
    }
    const text = await res.text()
    const json = text ? (JSON.parse(text) as unknown) : undefined
    if (!res.ok) {
      const e = (json ?? {}) as { code?: string; message?: string; details?: string }
      throw new KrainHttpError({ status: res.status, code: e.code ?? `HTTP_${res.status}`, message: e.message ?? res.statusText, details: e.details })
    }
    return json as T
  }
}
