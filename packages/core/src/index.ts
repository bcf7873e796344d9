export { INVALID_ARGUMENT, InvalidArgumentRangeError, InvalidArgumentTypeError, KrainError, isInvalidArgument, isKrainError, toError } from './errors.js'
export type { KrainErrorParameters } from './errors.js'
export {
  aBigInt,
  aBigIntInRange,
  aBoolean,
  aBytes,
  aFieldElement,
  aFiniteNumber,
  aNonNegativeInt,
  aPositiveInt,
  aString,
  anArray,
  anIntInRange,
  anObject,
  rangeError,
  typeError,
} from './validate.js'
