import { describe, expect, it } from 'vitest'
import { fromSolidityCalldata, toSolidityCalldata, type Groth16Proof } from '@krain/zk/groth16'
import { ChainError, chainConfigFromEnv, createChainClient, toGroth16Calldata, unpackOutputs } from '../src/index.js'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

describe('chainConfigFromEnv', () => {
  it('reads KRAIN_RPC_URL, KRAIN_PRIVATE_KEY and KRAIN_REGISTRY_ADDRESS', () => {
    const c = chainConfigFromEnv({
      KRAIN_RPC_URL: 'https://sepolia.base.org',
      KRAIN_PRIVATE_KEY: KEY.slice(2),
      KRAIN_REGISTRY_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    })
    expect(c).toEqual({ rpcUrl: 'https://sepolia.base.org', privateKey: KEY, registryAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' })
  })

  it('leaves absent and empty variables out', () => {
    expect(chainConfigFromEnv({ KRAIN_RPC_URL: '  ' })).toEqual({})
  })

  it.each([
    [{ KRAIN_RPC_URL: 'not a url' }],
    [{ KRAIN_RPC_URL: 'ftp://example.com' }],
    [{ KRAIN_PRIVATE_KEY: '0x1234' }],
    [{ KRAIN_REGISTRY_ADDRESS: '0x12' }],
  ])('rejects %j with CHAIN_CONFIG_INVALID', (env) => {
    let err: unknown
    try {
      chainConfigFromEnv(env)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ChainError)
    expect((err as ChainError).code).toBe('CHAIN_CONFIG_INVALID')
  })

  it('never echoes a malformed private key', () => {
    expect(() => chainConfigFromEnv({ KRAIN_PRIVATE_KEY: 'deadbeefcafe' })).toThrow(/KRAIN_PRIVATE_KEY must be 32 bytes of hex$/)
  })
})

describe('createChainClient', () => {
  it('fails with CHAIN_RPC_ERROR when nothing listens', async () => {
    const err = await createChainClient({ rpcUrl: 'http://127.0.0.1:1' }).catch((e: unknown) => e)
    expect((err as ChainError).code).toBe('CHAIN_RPC_ERROR')
  })
})

describe('calldata', () => {
  it('goes from a snarkjs proof to verifier arguments (G2 swapped) and back through @krain/zk/groth16', () => {
    const proof: Groth16Proof = { pi_a: ['1', '2', '1'], pi_b: [['3', '4'], ['5', '6'], ['1', '0']], pi_c: ['7', '8', '1'], protocol: 'groth16', curve: 'bn128' }
    const cd = toSolidityCalldata(proof, ['9', '10', '11'])
    expect(cd).toEqual({ a: [1n, 2n], b: [[4n, 3n], [6n, 5n]], c: [7n, 8n], input: [9n, 10n, 11n] })
    expect(toGroth16Calldata(cd)).toEqual(cd)
    expect(fromSolidityCalldata(cd)).toEqual({ proof, publicSignals: ['9', '10', '11'] })
  })

  it('accepts hex strings and rejects junk with TypeError / RangeError', () => {
    expect(toGroth16Calldata({ a: ['0x1', 2n], b: [[3, 4], [5, 6]], c: [7, 8], input: [9, 10, 11] }).a).toEqual([1n, 2n])
    expect(() => toGroth16Calldata({ a: [1n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [9n, 10n, 11n] })).toThrow(RangeError)
    expect(() => toGroth16Calldata({ a: [1n, 2n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [9n, 10n] })).toThrow(RangeError)
    expect(() => toGroth16Calldata({ a: [1n, 'x'], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [9n, 10n, 11n] })).toThrow(TypeError)
    expect(() => toGroth16Calldata({ a: [1n, 1n << 256n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [9n, 10n, 11n] })).toThrow(RangeError)
    expect(() => toGroth16Calldata({ a: [1n, -1n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], input: [9n, 10n, 11n] })).toThrow(RangeError)
  })

  it('unpacks batch outputs byte by byte', () => {
    expect(unpackOutputs(1n + 0n * 256n + 9n * 65536n, 4)).toEqual([1n, 0n, 9n, 0n])
  })
})
