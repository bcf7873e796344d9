/**
 * @module schemas/contracts
 * Secret contracts: deploy a contract's source (the gateway compiles it and keeps the
 * plan), describe it, and call it with ciphertexts only (ciphertexts out).
 */
import { Type, type Static } from 'typebox'
import { Address } from './common.js'

/** A plain input's value: a number or a vector. */
const PlainValue = Type.Union([Type.Number(), Type.Array(Type.Number(), { maxItems: 4096 })])

/** `POST /v1/contracts` body. */
export const DeployContractBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 65536, description: 'contract source text (.krn)' }),
    /** Addresses that may call it besides the owner (`*` = every agent). Default: the owner only. */
    callers: Type.Optional(Type.Array(Type.Union([Address, Type.Literal('*')]), { maxItems: 1000 })),
    /** Calls each caller may make per window. */
    rateLimit: Type.Optional(Type.Object({ calls: Type.Integer({ minimum: 1, maximum: 1_000_000 }), windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)
export type DeployContractBody = Static<typeof DeployContractBody>

/** A deployed contract (`GET /v1/contracts/:id`). */
export const ContractInfo = Type.Object({
  id: Type.String(),
  owner: Type.String(),
  /** sha256 of the source and plan (hex). */
  hash: Type.String(),
  scheme: Type.String(),
  source: Type.String(),
  /** The compiled plan (scheme, parameters, depth, Galois steps, inputs, outputs with error bounds). */
  plan: Type.Unknown(),
  inputs: Type.Array(Type.Object({ name: Type.String(), enc: Type.Boolean(), type: Type.Object({ base: Type.String(), length: Type.Integer() }), range: Type.Array(Type.Number()) })),
  callers: Type.Array(Type.String()),
  rateLimit: Type.Union([Type.Object({ calls: Type.Integer(), windowSeconds: Type.Integer() }), Type.Null()]),
  /** Where the source hash is recorded on-chain in `ContractRegistry` (null when the gateway has no chain or the record is pending: `POST /v1/contracts/:id/record` retries). */
  record: Type.Union([Type.Object({ txHash: Type.String(), chainId: Type.Integer(), registry: Type.String(), block: Type.String() }), Type.Null()]),
  createdAt: Type.Integer(),
})
export type ContractInfo = Static<typeof ContractInfo>

/** One batch of ciphertexts (base64 per encrypted input) holding `count` rows. */
const CipherBatch = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 32768 }), inputs: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 64 << 20 })) }, { additionalProperties: false })

/** `POST /v1/contracts/:id/call` body. */
export const CallContractBody = Type.Object(
  {
    /** The caller's evaluation keys (`POST /v1/he/keys`). */
    keyId: Type.String({ minLength: 1, maxLength: 128 }),
    batches: Type.Array(CipherBatch, { minItems: 1, maxItems: 64 }),
    /** Values of the contract's plain inputs. */
    plain: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), PlainValue)),
  },
  { additionalProperties: false },
)
export type CallContractBody = Static<typeof CallContractBody>

/** `POST /v1/contracts/:id/call` response: ciphertexts (base64) per encrypted output, per batch. */
export const CallContractResponse = Type.Object({
  contractId: Type.String(),
  batches: Type.Array(Type.Object({ count: Type.Integer(), outputs: Type.Record(Type.String(), Type.String()), plain: Type.Record(Type.String(), PlainValue) })),
})
export type CallContractResponse = Static<typeof CallContractResponse>
