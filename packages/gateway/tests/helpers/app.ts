/**
 * Build a gateway for tests (in-memory SQLite unless a store is given; no chain unless given)
 * and sign wallets in through the real SIWE flow.
 */
import type { FastifyInstance } from 'fastify'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { buildGateway, type AppOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'

/** Deterministic test wallets (not anvil's). */
export const wallet = (i: number): PrivateKeyAccount => privateKeyToAccount(`0x${(0xa11ce000n + BigInt(i)).toString(16).padStart(64, '0')}`)

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({ DATABASE_URL: ':memory:', KRAIN_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', KRAIN_PORT: '0' }, overrides)
}

export async function testGateway(opts: Omit<Partial<AppOptions>, 'config'> & { config?: Partial<Config> } = {}): Promise<FastifyInstance> {
  return buildGateway({ ...opts, config: testConfig(opts.config), chain: opts.chain ?? null })
}

/** Sign `account` in through the challenge/session routes; returns its bearer token. */
export async function signInWith(app: FastifyInstance, account: PrivateKeyAccount): Promise<string> {
  const c = await app.inject({ method: 'POST', url: '/v1/auth/challenge', payload: { address: account.address } })
  if (c.statusCode !== 200) throw new Error(`challenge: ${c.statusCode} ${c.body}`)
  const { message } = c.json() as { message: string }
  const signature = await account.signMessage({ message })
  const s = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { message, signature } })
  if (s.statusCode !== 200) throw new Error(`session: ${s.statusCode} ${s.body}`)
  return (s.json() as { token: string }).token
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
