/**
 * @module auth/request-signature
 * Per-request wallet signatures, for callers that do not keep a session: the wallet signs
 * (EIP-191) a canonical string of the method, path, timestamp and body hash, sent in the headers
 * `x-krain-address`, `x-krain-timestamp` (ms) and `x-krain-signature`. The gateway accepts a
 * timestamp within ±5 minutes and each signature once (replays are refused).
 */
import { createHash } from 'node:crypto'
import { getAddress, isAddress, isHex, verifyMessage, type Hex } from 'viem'
import { AuthError } from '../errors.js'

/** How far a request timestamp may be from the gateway's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000

/** The string a wallet signs for one request. */
export function requestSigningPayload({ method, path, timestamp, body }: { method: string; path: string; timestamp: number; body: Uint8Array | string | undefined }): string {
  const bodyHash = createHash('sha256')
    .update(body ?? '')
    .digest('hex')
  return `krain-request:v1\n${method.toUpperCase()}\n${path}\n${timestamp}\n${bodyHash}`
}

/** Remembers signatures seen within the window, so each is accepted once. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>()
  /** True the first time a signature is seen (within its window). */
  accept(signature: string, expiresAt: number, now: number): boolean {
    if (this.seen.size > 10_000) for (const [k, t] of this.seen) if (t <= now) this.seen.delete(k)
    if (this.seen.has(signature)) return false
    this.seen.set(signature, expiresAt)
    return true
  }
}

/**
 * Verify the signature headers of a request.
 * @returns the signer's checksummed address
 * @throws {AuthError} AUTH_INVALID_SIGNATURE or AUTH_REPLAYED
 */
export async function verifyRequestSignature({
  headers,
  method,
  path,
  body,
  replay,
  now = Date.now(),
}: {
  headers: Record<string, string | string[] | undefined>
  method: string
  path: string
  body: Uint8Array | string | undefined
  replay: ReplayGuard
  now?: number
}): Promise<`0x${string}`> {
  const address = headers['x-krain-address']
  const ts = headers['x-krain-timestamp']
  const signature = headers['x-krain-signature']
  if (typeof address !== 'string' || !isAddress(address)) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-address must be a wallet address')
  if (typeof ts !== 'string' || !/^\d{1,15}$/.test(ts)) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-timestamp must be milliseconds since the epoch')
  if (typeof signature !== 'string' || !isHex(signature) || signature.length !== 132) throw new AuthError('AUTH_INVALID_SIGNATURE', 'x-krain-signature must be a 65-byte hex signature')
  const timestamp = Number(ts)
  if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_MS) throw new AuthError('AUTH_INVALID_SIGNATURE', 'request timestamp outside the accepted window', 'sign with a current clock')
  let ok = false
  try {
    ok = await verifyMessage({ address: getAddress(address), message: requestSigningPayload({ method, path, timestamp, body }), signature: signature as Hex })
  } catch {
    ok = false
  }
  if (!ok) throw new AuthError('AUTH_INVALID_SIGNATURE', 'request signature does not match x-krain-address')
  if (!replay.accept(signature.toLowerCase(), timestamp + SIGNATURE_WINDOW_MS, now)) throw new AuthError('AUTH_REPLAYED', 'this request signature was already used')
  return getAddress(address)
}
