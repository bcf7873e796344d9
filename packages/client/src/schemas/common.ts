/**
 * @module schemas/common
 * Shared TypeBox pieces: the error body every 4xx/5xx uses, addresses, hex, ids.
 */
import { Type } from 'typebox'

/** Body of every error response. */
export const ErrorResponse = Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.String()) }, { $id: 'ErrorResponse' })

/** A 20-byte hex address. */
export const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'wallet address' })
/** 0x-hex of any length (bounded). */
export const HexString = Type.String({ pattern: '^0x[0-9a-fA-F]*$', maxLength: 1 << 16 })
/** An id in a path. */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9:_.-]+$' })
/** `{ id }` path parameters. */
export const IdParams = Type.Object({ id: Id })

/** Responses every authenticated route may give. */
export const errorResponses = {
  400: Type.Ref('ErrorResponse'),
  401: Type.Ref('ErrorResponse'),
  403: Type.Ref('ErrorResponse'),
  404: Type.Ref('ErrorResponse'),
  429: Type.Ref('ErrorResponse'),
} as const
