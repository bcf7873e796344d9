/**
 * @module run/interpret-contract
 * The plain JavaScript reference semantics of a contract. Approximated functions are evaluated
 * exactly (sigmoid, tanh, sqrt, 1/x); an encrypted comparison is the smooth step
 * sigmoid(k·(a − b)) its polynomial approximates (k in the plan); a comparison of plain values is
 * exactly 0 or 1. The encrypted result equals this within the plan's error bound.
 */
import { checkContract, type CheckedContract } from '../check/check-contract.js'
import { targetFunction } from '../check/approximations.js'
import { ContractInputError } from '../errors.js'
import type { Expr } from '../syntax/ast.js'
import { parseContract } from '../syntax/parse-contract.js'
import { checkInputValue, map, zip, type PlainValue } from './values.js'

/**
 * Run a contract on plain inputs (the reference the encrypted run is compared with).
 * @param src - contract source, or an already checked program
 * @param plainInputs - a value for every input (encrypted and plain alike)
 * @returns the value of every output
 * @throws {ContractInputError} missing or out-of-range inputs; parse/check errors as in {@link checkContract}
 * @example
 * ```ts
 * interpretContract('input x: enc f64 in [0, 1]\noutput y = 2 * x', { x: 0.25 }) // { y: 0.5 }
 * ```
 */
export function interpretContract(src: string | CheckedContract, plainInputs: Record<string, PlainValue>): Record<string, PlainValue> {
  const program = typeof src === 'string' ? checkContract(parseContract(src)) : src
  if (!plainInputs || typeof plainInputs !== 'object') throw new TypeError('"plainInputs" expected an object')
  const env = new Map<string, PlainValue>()
  for (const i of program.inputs) {
    if (!(i.name in plainInputs)) throw new ContractInputError({ shortMessage: `missing input "${i.name}"` })
    env.set(i.name, checkInputValue(i, plainInputs[i.name]))
  }
  const ev = (e: Expr): PlainValue => {
    switch (e.kind) {
      case 'num':
        return e.value
      case 'vec':
        return e.items
      case 'var':
        return env.get(e.name)!
      case 'neg':
        return map(ev(e.a), (x) => -x)
      case 'bin': {
        const a = ev(e.a)
        const b = ev(e.b)
        return zip(a, b, e.op === '+' ? (x, y) => x + y : e.op === '-' ? (x, y) => x - y : e.op === '*' ? (x, y) => x * y : (x, y) => x / y)
      }
      case 'pow':
        return map(ev(e.a), (x) => x ** e.n)
      case 'if':
        return ev(e.cond) !== 0 ? ev(e.then) : ev(e.else)
      case 'cmp': {
        const a = ev(e.a)
        const b = ev(e.b)
        const ap = program.approximations.get(e)
        const t = zip(a, b, e.op === '>' ? (x, y) => x - y : (x, y) => y - x)
        if (!ap) return map(t, (x) => (x > 0 ? 1 : 0))
        const g = targetFunction('step', ap.range, ap.degree)
        return map(t, g)
      }
      case 'call': {
        switch (e.fn) {
          case 'sum':
          case 'mean': {
            const v = ev(e.args[0]!) as number[]
            const s = v.reduce((acc, x) => acc + x, 0)
            return e.fn === 'sum' ? s : s / v.length
          }
          case 'dot': {
            const a = ev(e.args[0]!) as number[]
            const b = ev(e.args[1]!) as number[]
            return a.reduce((acc, x, i) => acc + x * b[i]!, 0)
          }
          case 'poly': {
            const cs = (e.args[1] as Extract<Expr, { kind: 'vec' }>).items
            return map(ev(e.args[0]!), (x) => cs.reduceRight((s, c) => s * x + c, 0))
          }
          default: {
            const g = targetFunction(e.fn, [0, 1], 1)
            return map(ev(e.args[0]!), g)
          }
        }
      }
    }
  }
  const out: Record<string, PlainValue> = {}
  for (const s of program.ast.statements) {
    if (s.kind === 'let') env.set(s.name, ev(s.expr))
    else if (s.kind === 'output') {
      const v = ev(s.expr)
      env.set(s.name, v)
      out[s.name] = v
    }
  }
  return out
}
