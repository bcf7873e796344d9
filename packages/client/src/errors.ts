/**
 * @module client/errors
 * The error the SDK throws for a gateway's error response: the server's `code` and message, and
 * the HTTP status.
 */
import { KrainError } from '@krain/core'

/** A gateway answered with an error (`code` as in the gateway's `{ code, message }` body). */
export class KrainHttpError extends KrainError {
  override name = 'KrainHttpError'
  readonly httpStatus: number
  constructor({ status, code, message, details }: { status: number; code: string; message: string; details?: string }) {
    super({ code, shortMessage: message, details })
    this.httpStatus = status
  }
}
