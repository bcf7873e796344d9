import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileContract } from '../src/index.js'
import { EXAMPLES } from './examples.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const blocks = [...readme.matchAll(/```krn\n([\s\S]*?)```/g)].map((m) => m[1])

describe('README examples', () => {
  it.each(Object.entries(EXAMPLES))('holds %s verbatim and it compiles', (_name, src) => {
    expect(blocks).toContain(src)
    expect(compileContract(src).plan.scheme).toBe('ckks')
  })
})
