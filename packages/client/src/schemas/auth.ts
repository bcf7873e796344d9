/**
 * @module schemas/auth
 * Sign-in (SIWE challenge → signature → session token).
 */
import { Type, type Static } from 'typebox'
import { Address } from './common.js'

export const ChallengeBody = Type.Object({ address: Address }, { additionalProperties: false })
export type ChallengeBody = Static<typeof ChallengeBody>
export const ChallengeResponse = Type.Object({ message: Type.String(), nonce: Type.String(), expiresAt: Type.Integer() })

export const SessionBody = Type.Object(
  { message: Type.String({ minLength: 1, maxLength: 4096 }), signature: Type.String({ pattern: '^0x[0-9a-fA-F]{130}$' }) },
  { additionalProperties: false },
)
export type SessionBody = Static<typeof SessionBody>
export const SessionResponse = Type.Object({ token: Type.String(), address: Address, roles: Type.Array(Type.String()), expiresAt: Type.Integer() })

export const MeResponse = Type.Object({ address: Address, roles: Type.Array(Type.String()), via: Type.String() })
