/**
 * @module syntax/ast
 * The syntax tree of a secret contract. Every node carries the 1-based line and column where it starts.
 */

/** Source position (1-based). */
export type Pos = { line: number; column: number }
/** A declared value range `[lo, hi]`. */
export type Range = readonly [number, number]
/** Declared type of an input. */
export type InputType = { base: 'f64' | 'int'; length: number }

/** Functions approximated by a polynomial over a declared range. */
export type ApproxFn = 'sigmoid' | 'tanh' | 'sqrt' | 'inverse'

/** An expression. */
export type Expr =
  | { kind: 'num'; value: number; pos: Pos }
  | { kind: 'var'; name: string; pos: Pos }
  | { kind: 'vec'; items: number[]; pos: Pos }
  | { kind: 'neg'; a: Expr; pos: Pos }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; a: Expr; b: Expr; pos: Pos }
  | { kind: 'pow'; a: Expr; n: number; pos: Pos }
  | { kind: 'call'; fn: string; args: Expr[]; range?: Range; degree?: number; pos: Pos }
  | { kind: 'cmp'; op: '>' | '<'; a: Expr; b: Expr; range?: Range; degree?: number; pos: Pos }
  | { kind: 'if'; cond: Expr; then: Expr; else: Expr; pos: Pos }

/** A statement. */
export type Stmt =
  | { kind: 'input'; name: string; enc: boolean; type: InputType; range?: Range; pos: Pos }
  | { kind: 'let'; name: string; expr: Expr; pos: Pos }
  | { kind: 'output'; name: string; plain: boolean; expr: Expr; pos: Pos }

/** A parsed contract. */
export type ContractAst = { kind: 'contract'; statements: Stmt[] }
