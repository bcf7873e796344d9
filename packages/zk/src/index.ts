export { ZkError } from './errors.js'
export type { ZkErrorParameters } from './errors.js'
