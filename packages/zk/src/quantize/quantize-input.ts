/**
 * @module quantize-input
 * Fixed-point quantisation of one input row: `x_q = round(x * inputScale)`, which must fit the
 * circuit's signed input width (the circuit range-checks it; out-of-range inputs are refused
 * here with a `RangeError` instead of failing inside the prover).
 */
import { aFiniteNumber, anArray, typeError } from '@krain/core'
import type { QuantizedModel } from './quantize-model.js'
import { CIRCUITS } from '../spec.js'
import { fitsSigned } from './pack.js'

/** Input width, scale and length for a quantised model's circuit. */
export function inputShape(model: QuantizedModel): { features: number; bits: number; scale: number } {
  const s = model.kind === 'logistic' ? CIRCUITS.inference_logistic : CIRCUITS.inference_mlp
  return { features: s.features, bits: s.inputBits, scale: s.inputScale }
}

/**
 * Quantise one input row for a model's circuit. Accepts numbers (quantised here) or bigints
 * (already quantised; checked).
 * @param model - the quantised model (it fixes the circuit)
 * @param input - the preprocessed feature row
 * @param name - the argument name used in error messages
 * @returns the quantised row
 * @throws {TypeError} when `input` is not an array of numbers or bigints
 * @throws {RangeError} when its length is wrong or a value does not fit the circuit
 */
export function quantizeInput(model: QuantizedModel, input: readonly (number | bigint)[], name = 'input'): bigint[] {
  const { features, bits, scale } = inputShape(model)
  const row = anArray<unknown>(input, name, features, features)
  return row.map((v, i) => {
    let x: bigint
    if (typeof v === 'bigint') x = v
    else if (typeof v === 'number') x = BigInt(Math.round(aFiniteNumber(v, `${name}[${i}]`) * scale))
    else return typeError(`${name}[${i}]`, 'a number', v)
    if (!fitsSigned(x, bits)) {
      const lim = 2 ** (bits - 1) / scale
      throw new RangeError(`"${name}[${i}]" expected a value in [-${lim}, ${lim}) for this circuit, got ${typeof v === 'bigint' ? `${v}n` : v}`)
    }
    return x
  })
}
