/**
 * @module client/http
 * A small JSON-over-HTTP client for the gateway (global `fetch`): signs in with a wallet through
 * the SIWE challenge, keeps the session token, signs in again when it expires, and turns error
 * bodies into {@link KrainHttpError}s.
 *
 * Failover: given `baseUrls` (gateway instances of one deployment, sharing one store), a request
 * that cannot reach the current instance moves to the next one and the client stays there. A
 * request moves only when it cannot have been applied: the connection was refused or never made,
 * or it is safe to repeat (GET/HEAD, or marked `idempotent`, e.g. an MPC party message, which the
 * coordinator answers `duplicate` the second time). Session tokens live in the store, so they
 * hold on every instance.
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
  /** Further base URLs of the same deployment, tried in order after `url` when it cannot be reached. */
  baseUrls?: string[]
}

/** Options of one request. */
export type RequestOptions = {
  body?: unknown
  query?: Record<string, string | number | undefined>
  auth?: boolean
  /**
   * A binary body (sent instead of `body`), of media type `contentType` (default
   * `application/octet-stream`): one array, or parts sent one after the other (e.g. `@krain/mpc`
   * `encodeMessageParts`). On Node a large body is streamed from the caller's arrays (nothing
   * copied); a browser gets one concatenated body (browsers stream uploads only over HTTP/2).
   */
  bytes?: Uint8Array | readonly Uint8Array[]
  contentType?: string
  /** `Accept` header of the request. */
  accept?: string
  /** The request may be applied twice without harm: with `baseUrls`, repeat it on the next instance after any network failure. */
  idempotent?: boolean
  /** Aborts the request (and the reading of its body). */
  signal?: AbortSignal
}

/** A binary answer of {@link GatewayHttp.requestBytes}. */
export type BytesResponse = { contentType: string; bytes: Uint8Array }

/** Error codes of a connection that was never made (the request cannot have reached the server). */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
const notConnected = (e: unknown): boolean => {
  const cause = (e as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause
  return NOT_CONNECTED.has(String(cause?.code)) || (cause?.errors?.length ? cause.errors.every((x) => NOT_CONNECTED.has(String(x.code))) : false)
}
const checkedUrl = (url: unknown, name: string): string => {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError(`"${name}" expected an http(s) URL, got ${JSON.stringify(url)}`)
  return url.replace(/\/+$/, '')
}

/**
 * Whether large binary bodies are streamed (Node's fetch: a request body may be a stream, sent
 * with the `Content-Length` given; a browser's fetch streams uploads only over HTTP/2).
 */
const STREAM_UPLOADS = typeof process === 'object' && typeof process.versions?.node === 'string'
/** Bodies from this size are streamed (below it one small copy costs less than a stream). */
const STREAM_FROM = 64 * 1024

/**
 * A stream of `parts` as they are: a default (not a byte) stream, whose chunks fetch writes to
 * the socket without copying them (fetch copies a byte array body before sending it).
 */
function streamOf(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const p = parts[i++]
      if (p === undefined) controller.close()
      else controller.enqueue(p)
    },
  })
}

/** One array over an `ArrayBuffer` holding `parts` (fetch refuses views of a `SharedArrayBuffer`). */
function concatenated(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const [only] = parts
  if (parts.length === 1 && only!.buffer instanceof ArrayBuffer) return new Uint8Array(only!.buffer, only!.byteOffset, only!.byteLength)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * A response body as one array, read as it streams into an array of its announced
 * `Content-Length` (fetch's `arrayBuffer()` gathers the chunks, joins them and copies the result
 * once more: three times a multi-megabyte MPC inbox). Without a usable length (none, or a
 * content coding that fetch undoes) the chunks are gathered and joined once.
 */
async function bodyBytes(res: Response): Promise<Uint8Array> {
  const announced = res.headers.get('content-length')
  const coding = (res.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  const length = announced !== null && /^\d{1,15}$/.test(announced) && coding === 'identity' ? Number(announced) : undefined
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  let out = length !== undefined ? new Uint8Array(length) : undefined
  const chunks: Uint8Array[] = []
  let at = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (out !== undefined && at + value.length <= out.length) out.set(value, at)
    else {
      if (out !== undefined) chunks.push(out.subarray(0, at)) // longer than announced: gather from here on
      out = undefined
      chunks.push(value)
    }
    at += value.length
  }
  if (out !== undefined) return at === out.length ? out : out.subarray(0, at)
  return concatenated(chunks)
}

/** Authenticated JSON requests to one gateway. */
export class GatewayHttp {
  readonly account: LocalAccount | undefined
  /** `url` then `baseUrls`. */
  readonly urls: readonly string[]
  private current = 0
  private token: string | undefined
  private signingIn: Promise<string> | undefined
  private readonly fetchFn: typeof fetch

  constructor({ url, account, token, fetch: f, baseUrls = [] }: GatewayHttpParameters) {
    if (!Array.isArray(baseUrls)) throw new TypeError(`"baseUrls" expected an array of URLs, got ${JSON.stringify(baseUrls)}`)
    this.urls = [checkedUrl(url, 'url'), ...baseUrls.map((u, i) => checkedUrl(u, `baseUrls[${i}]`))]
    this.account = account
    this.token = token
    // a browser's fetch throws "Illegal invocation" when called as a method of another object
    this.fetchFn = f ?? ((input, init) => globalThis.fetch(input, init))
  }

  /** The base URL requests go to now (`url` until a failover moved to one of `baseUrls`). */
  get url(): string {
    return this.urls[this.current]!
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
    const res = await this.exchange(method, path, opts)
    const text = await res.text()
    const json = text ? (JSON.parse(text) as unknown) : undefined
    if (!res.ok) throw httpError(res, json)
    return json as T
  }

  /**
   * One request whose answer may be bytes: `accept` names the media types wanted (e.g.
   * `application/cbor`); a JSON answer (an older gateway) comes back as its bytes too, with its
   * content type, for the caller to tell apart.
   * @throws KrainHttpError on an error answer (always JSON)
   */
  async requestBytes(method: string, path: string, opts: RequestOptions & { accept: string }): Promise<BytesResponse> {
    const res = await this.exchange(method, path, opts)
    if (!res.ok) throw await errorOf(res)
    return { contentType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(), bytes: await bodyBytes(res) }
  }

  /**
   * One request whose answer is read as it arrives (e.g. `text/event-stream`): the raw response,
   * its body unread.
   * @throws KrainHttpError on an error answer (always JSON)
   */
  async openStream(method: string, path: string, opts: RequestOptions & { accept: string }): Promise<Response> {
    const res = await this.exchange(method, path, opts)
    if (!res.ok) throw await errorOf(res)
    return res
  }

  /** Send one request (signing in first, and once more if the session expired); the raw response. */
  private async exchange(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const auth = opts.auth ?? true
    if (auth && !this.token && this.account) await this.signIn()
    const once = async (base: string): Promise<Response> => {
      const qs = opts.query ? Object.entries(opts.query).filter(([, v]) => v !== undefined) : []
      const url = `${base}${path}${qs.length ? `?${new URLSearchParams(qs.map(([k, v]): [string, string] => [k, String(v)]))}` : ''}`
      const headers: Record<string, string> = {}
      if (auth && this.token) headers.authorization = `Bearer ${this.token}`
      if (opts.accept) headers.accept = opts.accept
      let body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | undefined
      let streamed = false
      if (opts.bytes) {
        headers['content-type'] = opts.contentType ?? 'application/octet-stream'
        const parts = opts.bytes instanceof Uint8Array ? [opts.bytes] : opts.bytes
        const length = parts.reduce((n, p) => n + p.length, 0)
        if (STREAM_UPLOADS && length >= STREAM_FROM) {
          headers['content-length'] = String(length)
          body = streamOf(parts)
          streamed = true
        } else body = concatenated(parts)
      } else if (opts.body !== undefined) {
        headers['content-type'] = 'application/json'
        body = JSON.stringify(opts.body)
      }
      const init: RequestInit & { duplex?: 'half' } = { method, headers, ...(body !== undefined ? { body } : {}), ...(streamed ? { duplex: 'half' } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }
      return this.fetchFn(url, init)
    }
    const repeatable = opts.idempotent === true || method.toUpperCase() === 'GET' || method.toUpperCase() === 'HEAD'
    const send = async (): Promise<Response> => {
      for (let tried = 1; ; tried++) {
        const at = this.current
        try {
          return await once(this.urls[at]!)
        } catch (e) {
          if (tried >= this.urls.length || !(repeatable || notConnected(e))) throw e
          if (this.current === at) this.current = (at + 1) % this.urls.length // unless a concurrent request moved already
        }
      }
    }
    let res = await send()
    if (res.status === 401 && auth && this.account) {
      const code = ((await res.clone().json().catch(() => ({}))) as { code?: string }).code
      if (code === 'AUTH_SESSION_EXPIRED' || code === 'AUTH_REQUIRED') {
        await this.signIn()
        res = await send()
      }
    }
    return res
  }
}

/** The typed error of an error answer (`{ code, message, details? }`). */
/** The typed error of an error answer whose body is read here (JSON, or not: then without details). */
async function errorOf(res: Response): Promise<KrainHttpError> {
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return httpError(res, json)
}

function httpError(res: Response, json: unknown): KrainHttpError {
  const e = (json ?? {}) as { code?: string; message?: string; details?: string }
  return new KrainHttpError({ status: res.status, code: e.code ?? `HTTP_${res.status}`, message: e.message ?? res.statusText, details: e.details })
}
