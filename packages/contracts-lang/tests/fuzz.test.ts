import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileContract, ContractError, ContractLeakError, ContractSyntaxError, ContractRangeError, ContractDepthError, ContractTypeError, parseContract } from '../src/index.js'
import { EXAMPLES } from './examples.js'

const TOKENS = ['input', 'let', 'output', 'plain', 'enc', 'f64', 'int', 'vec', '<', '>', '30', '1.5', '-', '+', '*', '/', '^', '(', ')', '[', ']', ',', ':', '=', 'in', 'degree', 'if', 'then', 'else', 'x', 'y', 'sum', 'mean', 'dot', 'sigmoid', 'tanh', 'sqrt', 'inverse', 'poly', '\n', ' ', '#', '@', '1e400', '"', '$']
const sources = Object.values(EXAMPLES)

/** Every failure must be a ContractError with a position inside the text (or a whole-program one). */
function outcome(src: string): 'ok' | ContractError {
  try {
    compileContract(src)
    return 'ok'
  } catch (e) {
    if (!(e instanceof ContractError)) throw e
    if (e instanceof ContractSyntaxError || e instanceof ContractTypeError || e instanceof ContractLeakError || e instanceof ContractRangeError) {
      const lines = src.split('\n').length
      expect(e.line).toBeGreaterThanOrEqual(1)
      expect(e.line).toBeLessThanOrEqual(lines + 1)
      expect(e.column).toBeGreaterThanOrEqual(1)
    } else expect(e).toBeInstanceOf(ContractDepthError)
    return e
  }
}

describe('fuzzed source text', () => {
  it('random token strings give positioned errors, never a crash', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (ts) => void outcome(ts.join(' '))), { numRuns: 2500 })
  })

  it('mutations of the examples give positioned errors, never a crash', () => {
    const mutation = fc.tuple(fc.constantFrom(...sources), fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 })).map(([s, at, del, ins]) => {
      const i = at % (s.length + 1)
      return s.slice(0, i) + ins + s.slice(i + del)
    })
    fc.assert(fc.property(mutation, (src) => void outcome(src)), { numRuns: 2500 })
  })

  it('deep nesting and huge inputs are refused with a position', () => {
    const e = outcome(`input x: enc f64 in [0, 1]\noutput y = ${'('.repeat(500)}x${')'.repeat(500)}`)
    expect(e).toBeInstanceOf(ContractSyntaxError)
    expect(outcome('#'.repeat(30_000))).toBeInstanceOf(ContractSyntaxError)
  })

  it('points at the line and column of a bad token', () => {
    expect(() => parseContract('input x: enc f64 in [0, 1]\noutput y = x + * 2')).toThrow(/^2:16: unexpected "\*"/)
  })
})

describe('leaks are refused at check time', () => {
  it('refuses an encrypted value in a plain output', () => {
    expect(() => compileContract('input x: enc f64 in [0, 1]\noutput plain y = 2 * x')).toThrow(ContractLeakError)
    expect(() => compileContract('input x: enc f64 in [0, 1]\noutput plain y = 2 * x')).toThrow(/2:1: output "y" is declared plain but depends on encrypted inputs/)
  })

  it('refuses a branch on an encrypted value', () => {
    const src = 'input x: enc f64 in [0, 1]\ninput t: plain f64 in [0, 1]\noutput y = if x > t in [-1, 1] then x else 0 * x'
    expect(() => compileContract(src)).toThrow(ContractLeakError)
    expect(() => compileContract(src)).toThrow(/3:17: branch on an encrypted value/)
  })

  it('accepts a branch on a plain value and a plain output of plain values', () => {
    const c = compileContract('input x: enc f64 in [0, 1]\ninput t: plain f64 in [0, 1]\noutput y = if t > 0.5 then 2 * x else 3 * x\noutput plain z = t * 2')
    expect(c.plan.outputs.map((o) => o.enc)).toEqual([true, false])
  })

  it('refuses an approximation whose argument may leave its declared range', () => {
    expect(() => compileContract('input x: enc vec<4> in [0, 3]\noutput y = sigmoid(sum(x)) in [-8, 8]')).toThrow(ContractRangeError)
  })

  it('refuses a program deeper than any parameter set', () => {
    expect(() => compileContract(`input x: enc f64 in [0, 1]\noutput y = ${Array(30).fill('x^64').join(' * ')}`)).toThrow(ContractDepthError)
  })

  it('refuses mismatched vector sizes', () => {
    expect(() => compileContract('input x: enc vec<3> in [0, 1]\ninput w: plain vec<4> in [0, 1]\noutput y = dot(w, x)')).toThrow(/3:12: dot of vectors of different sizes \(4 and 3\)/)
  })
})

describe('compileContract', () => {
  it('chooses Paillier for additions and plain scalings, BFV for exact integer products, CKKS otherwise', () => {
    expect(compileContract('input x: enc vec<8> in [0, 5]\ninput w: plain vec<8> in [-1, 1]\noutput s = dot(w, x) + 3').plan.scheme).toBe('paillier')
    expect(compileContract('input a: enc int in [0, 100]\ninput b: enc int in [0, 100]\noutput p = a * b + 1').plan.scheme).toBe('bfv')
    expect(compileContract(EXAMPLES.dosage).plan.scheme).toBe('ckks')
  })

  it('gives the same content hash for the same source and a different one otherwise', () => {
    expect(compileContract(EXAMPLES.cohort).hash).toBe(compileContract(EXAMPLES.cohort).hash)
    expect(compileContract(EXAMPLES.cohort).hash).not.toBe(compileContract(EXAMPLES.cohort + '\n').hash)
  })
})
