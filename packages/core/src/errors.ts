/**
 * @module errors
 * The one base error of every Krain package (viem's BaseError, trimmed). Each package
 * subclasses it in its own `src/errors.ts`. Errors carry no transport: the gateway maps each
 * `code` to an HTTP status in one table and treats everything else as a 5xx.
 */

/** Parameters of {@link KrainError}. */
export type KrainErrorParameters = {
  /** Stable, machine-readable code such as `HE_KEY_MISMATCH`. */
  code: string
  /** One-line human summary (without details). */
  shortMessage: string
  /** Extra context, safe to show to a client. */
  details?: string
  /** The underlying error (a SEAL exception, a snarkjs failure, ...). */
  cause?: unknown
}

/**
 * Base class of every domain error thrown by Krain.
 *
 * @example
 * ```ts
 * throw new KrainError({ code: 'HE_KEY_MISMATCH', shortMessage: 'ciphertext was made under another key' })
 * ```
 */
export class KrainError extends Error {
  override name = 'KrainError'
  readonly code: string
  readonly shortMessage: string
  readonly details: string | undefined

  constructor({ code, shortMessage, details, cause }: KrainErrorParameters) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, cause === undefined ? undefined : { cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = details
  }

  /** A plain object fit for a JSON error body. */
  toJSON(): { code: string; message: string; details?: string } {
    return this.details ? { code: this.code, message: this.shortMessage, details: this.details } : { code: this.code, message: this.shortMessage }
  }
}

/** True when `e` is a {@link KrainError} (also across duplicated module copies). */
export function isKrainError(e: unknown): e is KrainError {
  return e instanceof KrainError || (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { shortMessage?: unknown }).shortMessage === 'string')
}

/** Code carried by {@link InvalidArgumentTypeError} and {@link InvalidArgumentRangeError}. */
export const INVALID_ARGUMENT = 'INVALID_ARGUMENT'

/**
 * A `TypeError` thrown by a boundary validator: the caller passed an argument of the wrong type.
 * A marker class (not a message pattern) so a service can tell a caller's mistake from a bug.
 */
export class InvalidArgumentTypeError extends TypeError {
  override name = 'TypeError'
  readonly code = INVALID_ARGUMENT
  /** The argument's name. */
  readonly argument: string
  constructor(argument: string, message: string) {
    super(message)
    this.argument = argument
  }
}

/** A `RangeError` thrown by a boundary validator: the argument's type is right, its value is not. */
export class InvalidArgumentRangeError extends RangeError {
  override name = 'RangeError'
  readonly code = INVALID_ARGUMENT
  /** The argument's name. */
  readonly argument: string
  constructor(argument: string, message: string) {
    super(message)
    this.argument = argument
  }
}

/** True when `e` is an invalid-argument error of a boundary validator (also across module copies and threads: by its code). */
export function isInvalidArgument(e: unknown): e is InvalidArgumentTypeError | InvalidArgumentRangeError {
  return (e instanceof TypeError || e instanceof RangeError) && (e as { code?: unknown }).code === INVALID_ARGUMENT
}

/**
 * Turn anything thrown (SEAL throws numbers and strings, not `Error`s) into an `Error`.
 * @param e - the thrown value
 * @returns an `Error` carrying a readable message
 */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e
  if (typeof e === 'string') return new Error(e)
  try {
    return new Error(typeof e === 'object' ? JSON.stringify(e) : String(e))
  } catch {
    return new Error(String(e))
  }
}
