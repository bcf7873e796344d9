/**
 * @module auth/siwe
 * Sign-In with Ethereum (EIP-4361) challenges: the gateway issues a message with a one-time nonce,
 * the wallet signs it (EIP-191 `personal_sign`), the gateway checks the message it issued, the
 * nonce (consumed once, and only by a valid signature), the domain, the expiry and the signature (viem, local ecrecover).
 */
import { createHash, randomBytes } from 'node:crypto'
import { getAddress, isAddress, verifyMessage, type Hex } from 'viem'
import { createSiweMessage, generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe'
import { AuthError } from '../errors.js'
import type { Store } from '../store/types.js'

/** Parameters of {@link issueChallenge}. */
export type IssueChallengeParameters = { store: Store; address: string; domain: string; uri: string; chainId: number; ttlMs?: number; now?: number }

/**
 * Create and store a sign-in challenge for `address`.
 * @returns the EIP-4361 message to sign, its nonce and expiry (ms since epoch)
 */
export async function issueChallenge({ store, address, domain, uri, chainId, ttlMs = 5 * 60_000, now = Date.now() }: IssueChallengeParameters): Promise<{ message: string; nonce: string; expiresAt: number }> {
  const nonce = generateSiweNonce()
  const expiresAt = now + ttlMs
  const message = createSiweMessage({
    address: getAddress(address),
    chainId,
    domain,
    uri,
    nonce,
    version: '1',
    statement: 'Sign in to the Krain gateway.',
    issuedAt: new Date(now),
    expirationTime: new Date(expiresAt),
  })
  await store.createChallenge({ nonce, address: getAddress(address), message, expiresAt })
  return { message, nonce, expiresAt }
}

/** sha256 of a session token, hex: what the store keeps instead of the token. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/**
 * Verify a signed challenge and open a session.
 * @returns the session token (shown once) and the signer's checksummed address
 * @throws {AuthError} AUTH_CHALLENGE_INVALID (unknown, reused or expired nonce; altered message), AUTH_INVALID_SIGNATURE
 */
export async function signIn({ store, message, signature, domain, ttlMs, now = Date.now() }: { store: Store; message: string; signature: Hex; domain: string; ttlMs: number; now?: number }): Promise<{ token: string; address: `0x${string}`; expiresAt: number }> {
  const parsed = parseSiweMessage(message)
  if (!parsed.nonce || !parsed.address || !isAddress(parsed.address)) throw new AuthError('AUTH_CHALLENGE_INVALID', 'not a sign-in message issued by this gateway')
  // Read, do not consume, until the attempt is proven genuine: a tampered message or a wrong
  // signature must not burn the challenge its rightful wallet is about to use.
  const challenge = await store.getChallenge(parsed.nonce)
  if (!challenge || challenge.message !== message) throw new AuthError('AUTH_CHALLENGE_INVALID', 'unknown or already used sign-in challenge')
  if (challenge.expiresAt <= now || !validateSiweMessage({ message: parsed, domain, nonce: challenge.nonce, address: getAddress(challenge.address), time: new Date(now) })) {
    throw new AuthError('AUTH_CHALLENGE_INVALID', 'sign-in challenge expired or issued for another domain')
  }
  let ok = false
  try {
    ok = await verifyMessage({ address: getAddress(challenge.address), message, signature })
  } catch {
    ok = false
  }
  if (!ok) throw new AuthError('AUTH_INVALID_SIGNATURE', 'signature does not match the address in the challenge')
  if (!(await store.consumeChallenge(challenge.nonce))) throw new AuthError('AUTH_CHALLENGE_INVALID', 'unknown or already used sign-in challenge')
  const token = randomBytes(32).toString('base64url')
  const expiresAt = now + ttlMs
  await store.createSession({ tokenHash: hashToken(token), address: getAddress(challenge.address), createdAt: now, expiresAt })
  return { token, address: getAddress(challenge.address), expiresAt }
}
