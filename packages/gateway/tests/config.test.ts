import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { developmentPolicy, loadPolicyFile, Policy } from '../src/auth/policy.js'
import { chainConfigFromEnv } from '@krain/chain'
import { getAddress } from 'viem'
import { chainConfigOf, coordinatorKeyOf, loadConfig } from '../src/config.js'
import { ConfigError } from '../src/errors.js'
import { canTransition } from '../src/jobs/state-machine.js'

describe('loadConfig', () => {
  it('applies defaults and derives the SQLite path from the data directory', () => {
    const c = loadConfig({ KRAIN_DATA_DIR: '/tmp/x' })
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8787, databaseUrl: '/tmp/x/krain.db', rateLimitPerMinute: 1200, workers: 1 })
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db')
  })
  it('names every invalid variable', () => {
    try {
      loadConfig({ KRAIN_PORT: '99999', KRAIN_RATE_LIMIT: 'lots', KRAIN_RPC_URL: 'ftp://x' })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      const details = (e as ConfigError).details!
      expect(details).toContain('KRAIN_PORT')
      expect(details).toContain('KRAIN_RATE_LIMIT')
      expect(details).toContain('KRAIN_RPC_URL')
    }
  })
  it('reads the queued circuit build timeout (unset: the proof timeout applies) and refuses one below 5 s', () => {
    expect(loadConfig({ KRAIN_DATA_DIR: '/tmp/x' }).buildTimeoutSeconds).toBeUndefined()
    expect(loadConfig({ KRAIN_DATA_DIR: '/tmp/x', KRAIN_BUILD_TIMEOUT: '900' }).buildTimeoutSeconds).toBe(900)
    expect(() => loadConfig({ KRAIN_DATA_DIR: '/tmp/x', KRAIN_BUILD_TIMEOUT: '2' })).toThrow(ConfigError)
  })
  it('needs a key and a registry with an RPC URL', () => {
    expect(() => loadConfig({ KRAIN_RPC_URL: 'http://127.0.0.1:8545' })).toThrow(/KRAIN_PRIVATE_KEY/)
  })
  it('takes the chain part from @krain/chain (one parser): the same values chainConfigFromEnv reads', () => {
    const env = { KRAIN_RPC_URL: 'http://127.0.0.1:8545', KRAIN_PRIVATE_KEY: '42'.repeat(32), KRAIN_REGISTRY_ADDRESS: `0x${'ab'.repeat(20)}`, KRAIN_VERIFIERS: `{"inference_logistic":"0x${'cd'.repeat(20)}"}` }
    const { rpcUrl, privateKey, registryAddress, verifiers } = loadConfig(env)
    expect({ rpcUrl, privateKey, registryAddress, verifiers }).toEqual(chainConfigFromEnv(env))
    expect(verifiers).toEqual({ inference_logistic: getAddress(`0x${'cd'.repeat(20)}`) })
    expect(chainConfigOf(loadConfig(env))).toEqual(chainConfigFromEnv(env))
    expect(chainConfigOf(loadConfig({}))).toBeNull()
  })
  it.each([
    ['KRAIN_VERIFIERS', '{"inference_logistic":"0x12"}'],
    ['KRAIN_VERIFIERS', '[1]'],
    ['KRAIN_REGISTRY_ADDRESS', '0x12'],
    ['KRAIN_CHAIN', 'sometimes'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    const err = (() => {
      try {
        return loadConfig({ [name]: value })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).details).toContain(name)
  })
  it('generates the coordinator key once, outside the store, when none is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krain-cfg-'))
    try {
      const c = loadConfig({ KRAIN_DATA_DIR: dir })
      const k = coordinatorKeyOf(c)
      expect(k).toMatch(/^0x[0-9a-f]{64}$/)
      expect(coordinatorKeyOf(c)).toBe(k)
      expect(coordinatorKeyOf(loadConfig({ KRAIN_DATA_DIR: dir, KRAIN_COORDINATOR_KEY: `0x${'ab'.repeat(32)}` }))).toBe(`0x${'ab'.repeat(32)}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('policy', () => {
  const who = (roles: string[], grant: Record<string, unknown> = {}) => ({ address: '0x1111111111111111111111111111111111111111' as const, roles: roles as never, grant: { roles: roles as never, ...grant }, via: 'session' as const })
  it('allows by role and attribute, and denies with a reason', () => {
    const p = new Policy(developmentPolicy())
    expect(() => p.authorize(who(['agent'], { models: ['bc-*'] }), 'models:infer', { modelId: 'bc-1' })).not.toThrow()
    expect(() => p.authorize(who(['agent'], { models: ['bc-*'] }), 'models:infer', { modelId: 'digits-1' })).toThrow(/allowed models/)
    expect(() => p.authorize(who(['agent'], { models: [] }), 'models:infer', { modelId: 'x', modelOwner: '0x1111111111111111111111111111111111111111' })).not.toThrow()
    expect(() => p.authorize(who(['verifier']), 'models:register')).toThrow(/model_owner/)
    expect(() => p.authorize(who(['admin']), 'mpc:create')).not.toThrow()
    expect(() => p.authorize(who(['hospital'], { sessions: ['0xab*'] }), 'mpc:join', { sessionId: '0xcd' })).toThrow(/allowed sessions/)
    expect(() => p.authorize(who(['agent']), 'jobs:read', { owner: '0x2222222222222222222222222222222222222222' })).toThrow(/owner/)
  })
  it('loads a policy file and refuses a malformed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krain-pol-'))
    try {
      const good = join(dir, 'good.json')
      writeFileSync(good, JSON.stringify({ identities: { '0x1111111111111111111111111111111111111111': { roles: ['admin'] } }, defaults: { roles: ['verifier'] } }))
      const p = new Policy(loadPolicyFile(good))
      expect(p.grantOf('0x1111111111111111111111111111111111111111').roles).toEqual(['admin'])
      expect(p.grantOf('0x9999999999999999999999999999999999999999').roles).toEqual(['verifier'])
      const bad = join(dir, 'bad.json')
      writeFileSync(bad, JSON.stringify({ identities: { '0x11': { roles: ['king'] } } }))
      expect(() => loadPolicyFile(bad)).toThrow(ConfigError)
      expect(() => loadPolicyFile(join(dir, 'missing.json'))).toThrow(/cannot read policy file/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('job state machine', () => {
  it('moves forward only, and may fail from any unfinished state', () => {
    expect(canTransition('queued', 'proving')).toBe(true)
    expect(canTransition('proving', 'proved')).toBe(true)
    expect(canTransition('proved', 'submitted')).toBe(true)
    expect(canTransition('submitted', 'confirmed')).toBe(true)
    expect(canTransition('confirmed', 'failed')).toBe(false)
    expect(canTransition('proved', 'queued')).toBe(false)
    expect(canTransition('queued', 'confirmed')).toBe(false)
    for (const s of ['queued', 'proving', 'proved', 'submitted'] as const) expect(canTransition(s, 'failed')).toBe(true)
  })
})
