/**
 * @module errors
 * Errors of `@krain/gateway`. Every one is a `KrainError` with a stable `code`; the HTTP status
 * comes from one table, `statusOfCode` in `plugins/app/error-handler.ts`, which also turns them into
 * `{ code, message }` bodies.
 */
import { KrainError } from '@krain/core'

/** Parameters shared by the package's errors. */
export type GatewayErrorParameters = {
  shortMessage: string
  details?: string
  cause?: unknown
}

/** Base of `@krain/gateway`'s domain errors; `code` names the failure. */
export class GatewayError extends KrainError {
  override name = 'GatewayError'
  constructor(code: string, { shortMessage, details, cause }: GatewayErrorParameters) {
    super({ code, shortMessage, details, cause })
  }
}

/** 401: no credentials, or credentials that do not verify. */
export class AuthError extends GatewayError {
  override name = 'AuthError'
  constructor(code: 'AUTH_REQUIRED' | 'AUTH_INVALID_SIGNATURE' | 'AUTH_SESSION_EXPIRED' | 'AUTH_CHALLENGE_INVALID' | 'AUTH_REPLAYED', shortMessage: string, details?: string) {
    super(code, { shortMessage, details })
  }
}

/** 403: the identity is known but the policy does not allow the action. */
export class PolicyDeniedError extends GatewayError {
  override name = 'PolicyDeniedError'
  constructor({ action, address, reason }: { action: string; address: string; reason: string }) {
    super('POLICY_DENIED', { shortMessage: `"${action}" is not allowed for ${address}`, details: reason })
  }
}

/** 404: a resource that does not exist (or that the caller may not know about). */
export class NotFoundError extends GatewayError {
  override name = 'NotFoundError'
  constructor(resource: string, id: string) {
    super('NOT_FOUND', { shortMessage: `${resource} "${id}" not found` })
  }
}

/** 409: the request conflicts with the resource's current state. */
export class ConflictError extends GatewayError {
  override name = 'ConflictError'
  constructor(code: string, shortMessage: string, details?: string) {
    super(code, { shortMessage, details })
  }
}

/** 400: a request that is well-formed JSON but invalid for the domain. */
export class BadRequestError extends GatewayError {
  override name = 'BadRequestError'
  constructor(code: string, shortMessage: string, details?: string) {
    super(code, { shortMessage, details })
  }
}

/** 501/503: a feature whose backing package is not available in this build or not reachable. */
export class UnavailableError extends GatewayError {
  override name = 'UnavailableError'
  constructor(code: 'NOT_IMPLEMENTED' | 'CHAIN_UNAVAILABLE' | 'FEATURE_UNAVAILABLE', shortMessage: string) {
    super(code, { shortMessage })
  }
}

/** Invalid configuration (environment variables, policy file) detected at startup. */
export class ConfigError extends GatewayError {
  override name = 'ConfigError'
  constructor(shortMessage: string, details?: string) {
    super('CONFIG_INVALID', { shortMessage, details })
  }
}
