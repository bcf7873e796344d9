export { MpcError } from './errors.js'
export type { MpcErrorParameters } from './errors.js'
