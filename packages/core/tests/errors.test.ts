import { describe, expect, it } from 'vitest'
import { KrainError, aPositiveInt, aFieldElement, isKrainError, toError } from '../src/index.js'

describe('KrainError', () => {
  it('carries a stable code, a short message and details', () => {
    const e = new KrainError({ code: 'X_TEST', shortMessage: 'short', details: 'more' })
    expect(e).toBeInstanceOf(Error)
    expect(e.code).toBe('X_TEST')
    expect(e.message).toContain('short')
    expect(e.message).toContain('more')
    expect(e.toJSON()).toEqual({ code: 'X_TEST', message: 'short', details: 'more' })
    expect(isKrainError(e)).toBe(true)
    expect(isKrainError(new Error('x'))).toBe(false)
  })
  it('wraps non-Error throwables', () => {
    expect(toError(42).message).toBe('42')
    expect(toError('boom').message).toBe('boom')
  })
})

describe('validators', () => {
  it('name the argument in their messages', () => {
    expect(() => aPositiveInt(0, 'n')).toThrow(RangeError)
    expect(() => aPositiveInt(0, 'n')).toThrow(/"n"/)
    expect(() => aPositiveInt('3', 'n')).toThrow(TypeError)
    expect(aPositiveInt(3, 'n')).toBe(3)
    expect(() => aFieldElement(7n, 'x', 7n)).toThrow(RangeError)
    expect(aFieldElement(6n, 'x', 7n)).toBe(6n)
  })
})
