/**
 * Who the dashboard talks to the gateway as: a `KrainClient` of the SDK's browser entry. The
 * session lives in this page's memory only: a pasted token or a wallet sign-in is gone on reload,
 * and nothing is written to any storage.
 */
import { KrainClient, eip1193Account, type Eip1193Provider, type GatewayHttp } from '@krain/client/browser'

export type Me = { address: string; roles?: string[] }

let krain = new KrainClient({ url: location.origin })
let me: Me | null = null
const listeners = new Set<() => void>()

/** The SDK client (anonymous until signed in). */
export const client = (): KrainClient => krain
/** The current HTTP client (the SDK client's), for the dashboard's own read-only routes. */
export const api = (): GatewayHttp => krain.http
/** The signed-in identity, or null. */
export const whoami = (): Me | null => me
/** Call `fn` after every sign-in or sign-out. */
export const onSessionChange = (fn: () => void): void => void listeners.add(fn)

async function adopt(next: KrainClient): Promise<Me> {
  const who = await next.http.request<Me>('GET', '/v1/auth/me')
  krain = next
  me = who
  listeners.forEach((fn) => fn())
  return who
}

/** Use a pasted session token (checked with `/v1/auth/me` before it is kept). */
export const signInWithToken = (token: string): Promise<Me> => adopt(new KrainClient({ url: location.origin, token }))

/** Sign in with the browser wallet: it signs the gateway's SIWE challenge (`personal_sign`). */
export async function signInWithWallet(provider: Eip1193Provider): Promise<Me> {
  const account = await eip1193Account({ provider })
  const next = new KrainClient({ url: location.origin, account })
  await next.http.signIn()
  return adopt(next)
}

/** Forget the session (and revoke its token at the gateway). */
export async function signOut(): Promise<void> {
  await krain.http.request('DELETE', '/v1/auth/session').catch(() => undefined)
  krain = new KrainClient({ url: location.origin })
  me = null
  listeners.forEach((fn) => fn())
}
