export { GatewayError } from './errors.js'
export type { GatewayErrorParameters } from './errors.js'
