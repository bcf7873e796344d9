/**
 * @module syntax/parse-contract
 * Lexer and parser of the contract language, built with chevrotain (an LL(k) parser toolkit):
 * the grammar is in the README. Errors carry the line and column of the first bad token.
 */
import { createToken, EmbeddedActionsParser, Lexer, type IToken, type TokenType } from 'chevrotain'
import { ContractSyntaxError } from '../errors.js'
import type { ContractAst, Expr, InputType, Pos, Range, Stmt } from './ast.js'

/** Longest accepted source text (characters). */
export const MAX_SOURCE_LENGTH = 20_000
/** Deepest accepted nesting of parentheses / brackets. */
export const MAX_NESTING = 64

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED })
const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED })
const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/ })
const kw = (name: string) => createToken({ name: name[0]!.toUpperCase() + name.slice(1), pattern: new RegExp(name), longer_alt: Ident })
const Input = kw('input')
const Let = kw('let')
const Output = kw('output')
const Enc = kw('enc')
const Plain = kw('plain')
const F64 = kw('f64')
const Int = kw('int')
const Vec = kw('vec')
const In = kw('in')
const Degree = kw('degree')
const If = kw('if')
const Then = kw('then')
const Else = kw('else')
const NumberLit = createToken({ name: 'NumberLit', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ })
const sym = (name: string, pattern: string) => createToken({ name, pattern: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
const Colon = sym('Colon', ':')
const Comma = sym('Comma', ',')
const Eq = sym('Eq', '=')
const Plus = sym('Plus', '+')
const Minus = sym('Minus', '-')
const Star = sym('Star', '*')
const Slash = sym('Slash', '/')
const Caret = sym('Caret', '^')
const Gt = sym('Gt', '>')
const Lt = sym('Lt', '<')
const LParen = sym('LParen', '(')
const RParen = sym('RParen', ')')
const LBracket = sym('LBracket', '[')
const RBracket = sym('RBracket', ']')

const allTokens: TokenType[] = [WhiteSpace, Comment, Input, Let, Output, Enc, Plain, F64, Int, Vec, In, Degree, If, Then, Else, Ident, NumberLit, Colon, Comma, Eq, Plus, Minus, Star, Slash, Caret, Gt, Lt, LParen, RParen, LBracket, RBracket]
const lexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false })

const posOf = (t: IToken): Pos => ({ line: t.startLine ?? 1, column: t.startColumn ?? 1 })

class ContractParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { maxLookahead: 3 })
    this.performSelfAnalysis()
  }

  contract = this.RULE('contract', (): ContractAst => {
    const statements: Stmt[] = []
    this.MANY(() => statements.push(this.SUBRULE(this.statement)))
    return { kind: 'contract', statements }
  })

  statement = this.RULE('statement', (): Stmt =>
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
    ]),
  )

  inputStmt = this.RULE('inputStmt', (): Stmt => {
    const t = this.CONSUME(Input)
    const name = this.CONSUME(Ident).image
    this.CONSUME(Colon)
    const enc = this.OR([{ ALT: () => (this.CONSUME(Enc), true) }, { ALT: () => (this.CONSUME(Plain), false) }])
    const type = this.SUBRULE(this.type)
    let range: Range | undefined
    this.OPTION(() => {
      this.CONSUME(In)
      range = this.SUBRULE(this.range)
    })
    return { kind: 'input', name, enc, type, range, pos: posOf(t) }
  })

  type = this.RULE('type', (): InputType =>
    this.OR([
      { ALT: () => (this.CONSUME(F64), { base: 'f64' as const, length: 0 }) },
      { ALT: () => (this.CONSUME(Int), { base: 'int' as const, length: 0 }) },
      {
        ALT: () => {
          this.CONSUME(Vec)
          this.CONSUME(Lt)
          const n = this.CONSUME(NumberLit)
          this.CONSUME(Gt)
          return { base: 'f64' as const, length: this.ACTION(() => Number(n.image)) }
        },
      },
    ]),
  )

  range = this.RULE('range', (): Range => {
    this.CONSUME(LBracket)
    const lo = this.SUBRULE(this.signedNumber)
    this.CONSUME(Comma)
    const hi = this.SUBRULE2(this.signedNumber)
    this.CONSUME(RBracket)
    return [lo, hi]
  })

  signedNumber = this.RULE('signedNumber', (): number => {
    let sign = 1
    this.OPTION(() => {
      this.CONSUME(Minus)
      sign = -1
    })
    const t = this.CONSUME(NumberLit)
    return this.ACTION(() => sign * Number(t.image))
  })

  letStmt = this.RULE('letStmt', (): Stmt => {
    const t = this.CONSUME(Let)
    const name = this.CONSUME(Ident).image
    this.CONSUME(Eq)
    const expr = this.SUBRULE(this.expr)
    return { kind: 'let', name, expr, pos: posOf(t) }
  })

  outputStmt = this.RULE('outputStmt', (): Stmt => {
    const t = this.CONSUME(Output)
    let plain = false
    this.OPTION(() => {
      this.CONSUME(Plain)
      plain = true
    })
    const name = this.CONSUME(Ident).image
    this.CONSUME(Eq)
    const expr = this.SUBRULE(this.expr)
    return { kind: 'output', name, plain, expr, pos: posOf(t) }
  })

  expr = this.RULE('expr', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(If)
          const cond = this.SUBRULE(this.expr)
          this.CONSUME(Then)
          const a = this.SUBRULE2(this.expr)
          this.CONSUME(Else)
          const b = this.SUBRULE3(this.expr)
          return { kind: 'if' as const, cond, then: a, else: b, pos: posOf(t) }
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  )

  comparison = this.RULE('comparison', (): Expr => {
    const a = this.SUBRULE(this.additive)
    let out = a
    this.OPTION(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(Gt) }, { ALT: () => this.CONSUME(Lt) }])
      const b = this.SUBRULE2(this.additive)
      const { range, degree } = this.SUBRULE(this.approxSuffix)
      out = { kind: 'cmp', op: op.image as '>' | '<', a, b, range, degree, pos: posOf(op) }
    })
    return out
  })

  approxSuffix = this.RULE('approxSuffix', (): { range?: Range; degree?: number } => {
    let range: Range | undefined
    let degree: number | undefined
    this.OPTION(() => {
      this.CONSUME(In)
      range = this.SUBRULE(this.range)
      this.OPTION2(() => {
        this.CONSUME(Degree)
        const d = this.CONSUME(NumberLit)
        degree = this.ACTION(() => Number(d.image))
      })
    })
    return { range, degree }
  })

  additive = this.RULE('additive', (): Expr => {
    let left = this.SUBRULE(this.multiplicative)
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(Plus) }, { ALT: () => this.CONSUME(Minus) }])
      const right = this.SUBRULE2(this.multiplicative)
      left = { kind: 'bin', op: op.image as '+' | '-', a: left, b: right, pos: posOf(op) }
    })
    return left
  })

  multiplicative = this.RULE('multiplicative', (): Expr => {
    let left = this.SUBRULE(this.unary)
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(Star) }, { ALT: () => this.CONSUME(Slash) }])
      const right = this.SUBRULE2(this.unary)
      left = { kind: 'bin', op: op.image as '*' | '/', a: left, b: right, pos: posOf(op) }
    })
    return left
  })

  unary = this.RULE('unary', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(Minus)
          const a = this.SUBRULE(this.unary)
          return { kind: 'neg' as const, a, pos: posOf(t) }
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]),
  )

  power = this.RULE('power', (): Expr => {
    const a = this.SUBRULE(this.atom)
    let out = a
    this.OPTION(() => {
      const t = this.CONSUME(Caret)
      const n = this.CONSUME(NumberLit)
      out = { kind: 'pow', a, n: this.ACTION(() => Number(n.image)), pos: posOf(t) }
    })
    return out
  })

  atom = this.RULE('atom', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(NumberLit)
          return { kind: 'num' as const, value: this.ACTION(() => Number(t.image)), pos: posOf(t) }
        },
      },
      {
        GATE: () => this.LA(2).tokenType === LParen,
        ALT: () => {
          const t = this.CONSUME2(Ident)
          this.CONSUME(LParen)
          const args: Expr[] = []
          this.MANY_SEP({ SEP: Comma, DEF: () => args.push(this.SUBRULE(this.expr)) })
          this.CONSUME(RParen)
          const { range, degree } = this.SUBRULE(this.approxSuffix)
          return { kind: 'call' as const, fn: t.image, args, range, degree, pos: posOf(t) }
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Ident)
          return { kind: 'var' as const, name: t.image, pos: posOf(t) }
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME2(LParen)
          const e = this.SUBRULE2(this.expr)
          this.CONSUME2(RParen)
          const { range, degree } = this.SUBRULE2(this.approxSuffix)
          if (range === undefined) return e
          // "(a > b) in [lo, hi] degree d": the suffix belongs to the comparison
          if (e.kind === 'cmp' && e.range === undefined) return { ...e, range, degree }
          return { kind: 'call' as const, fn: '(range)', args: [e], range, degree, pos: posOf(t) }
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(LBracket)
          const items: number[] = []
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.signedNumber)) })
          this.CONSUME(RBracket)
          return { kind: 'vec' as const, items, pos: posOf(t) }
        },
      },
    ]),
  )
}

let parser: ContractParser | undefined

function nesting(src: string): { depth: number; line: number; column: number } {
  let depth = 0
  let worst = { depth: 0, line: 1, column: 1 }
  let line = 1
  let column = 1
  for (const ch of src) {
    if (ch === '(' || ch === '[') depth++
    else if (ch === ')' || ch === ']') depth--
    if (depth > worst.depth) worst = { depth, line, column }
    if (ch === '\n') {
      line++
      column = 1
    } else column++
  }
  return worst
}

/**
 * Parse contract source text into its syntax tree.
 * @param src - the source text
 * @returns the syntax tree
 * @throws {TypeError} when `src` is not a string
 * @throws {ContractSyntaxError} on malformed text, with the line and column of the first error
 * @example
 * ```ts
 * const ast = parseContract('input x: enc f64 in [0, 1]\noutput y = 2 * x')
 * ```
 */
export function parseContract(src: string): ContractAst {
  if (typeof src !== 'string') throw new TypeError(`"src" expected a string, got ${typeof src}`)
  if (src.length > MAX_SOURCE_LENGTH) throw new ContractSyntaxError({ shortMessage: `source is longer than ${MAX_SOURCE_LENGTH} characters`, line: 1, column: 1 })
  const deep = nesting(src)
  if (deep.depth > MAX_NESTING) throw new ContractSyntaxError({ shortMessage: `brackets nest deeper than ${MAX_NESTING}`, line: deep.line, column: deep.column })
  const lexed = lexer.tokenize(src)
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!
    const ch = src.slice(e.offset, e.offset + e.length)
    throw new ContractSyntaxError({ shortMessage: `unexpected character ${JSON.stringify(ch.slice(0, 8))}`, line: e.line ?? 1, column: e.column ?? 1 })
  }
  parser ??= new ContractParser()
  parser.input = lexed.tokens
  const ast = parser.contract()
  if (parser.errors.length > 0) {
    const e = parser.errors[0]!
    const t = e.token
    const at = Number.isFinite(t.startLine) ? posOf(t) : lastPos(lexed.tokens)
    const found = t.tokenType?.name === 'EOF' ? 'end of input' : JSON.stringify(t.image)
    throw new ContractSyntaxError({ shortMessage: `unexpected ${found}`, details: e.message, line: at.line, column: at.column })
  }
  return ast
}

function lastPos(tokens: IToken[]): Pos {
  const t = tokens[tokens.length - 1]
  if (!t) return { line: 1, column: 1 }
  return { line: t.endLine ?? t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 0) + 1 }
}
