/**
 * @module errors
 * Errors of `@krain/contracts-lang`. Every one is a `KrainError` with a stable `code`; syntax and
 * check errors carry the 1-based `line` and `column` of the offending text.
 */
import { KrainError } from '@krain/core'

/** Stable codes of this package's errors. */
export type ContractErrorCode =
  | 'CONTRACT_SYNTAX'
  | 'CONTRACT_TYPE'
  | 'CONTRACT_LEAK'
  | 'CONTRACT_RANGE'
  | 'CONTRACT_DEPTH'
  | 'CONTRACT_INPUT'
  | 'CONTRACT_OUTPUT_BOUND'
  | 'CONTRACT_UNSUPPORTED'

/** Parameters of the package's errors. */
export type ContractErrorParameters = { shortMessage: string; details?: string; cause?: unknown; line?: number; column?: number }

/** Base of `@krain/contracts-lang`'s errors. */
export class ContractError extends KrainError {
  override name = 'ContractError'
  /** 1-based line of the offending source text (when the error is about source text). */
  readonly line: number | undefined
  /** 1-based column of the offending source text. */
  readonly column: number | undefined
  constructor(code: ContractErrorCode, { shortMessage, details, cause, line, column }: ContractErrorParameters) {
    super({ code, shortMessage: line !== undefined ? `${line}:${column ?? 1}: ${shortMessage}` : shortMessage, details, cause })
    this.line = line
    this.column = column
  }
}

/** Malformed source text (lexing or parsing). */
export class ContractSyntaxError extends ContractError {
  override name = 'ContractSyntaxError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_SYNTAX', p)
  }
}

/** A well-formed program with a type error (unknown name, size mismatch, wrong argument kind). */
export class ContractTypeError extends ContractError {
  override name = 'ContractTypeError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_TYPE', p)
  }
}

/** A program that would reveal an encrypted value (plain output of, or branch on, an encrypted value). */
export class ContractLeakError extends ContractError {
  override name = 'ContractLeakError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_LEAK', p)
  }
}

/** A value may leave the range an approximation was declared for (found by interval arithmetic). */
export class ContractRangeError extends ContractError {
  override name = 'ContractRangeError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_RANGE', p)
  }
}

/** The program needs more multiplicative depth than any 128-bit parameter set holds. */
export class ContractDepthError extends ContractError {
  override name = 'ContractDepthError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_DEPTH', p)
  }
}

/** Inputs that do not match the plan (missing, wrong size, outside the declared range, wrong keys). */
export class ContractInputError extends ContractError {
  override name = 'ContractInputError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_INPUT', p)
  }
}

/** A decrypted output lies outside what the plan guarantees (range ± error bound). */
export class ContractOutputBoundError extends ContractError {
  override name = 'ContractOutputBoundError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_OUTPUT_BOUND', p)
  }
}

/** The plan's scheme has no executor in this version (BFV and Paillier plans are planned only). */
export class ContractUnsupportedError extends ContractError {
  override name = 'ContractUnsupportedError'
  constructor(p: ContractErrorParameters) {
    super('CONTRACT_UNSUPPORTED', p)
  }
}
