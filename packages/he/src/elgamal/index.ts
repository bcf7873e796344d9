/**
 * @module elgamal
 * `@krain/he/elgamal`: multiplicatively homomorphic ElGamal over RFC 7919 groups, and additively
 * homomorphic (exponential) EC-ElGamal over secp256k1.
 */
export { HeError, HeKeyMismatchError, HeScaleError, HeSerializationError } from '../errors.js'
export type { HeErrorParameters } from '../errors.js'
export { HeDiscreteLogError } from '../errors.js'
export { FFDHE_GROUPS } from './ffdhe-groups.js'
export type { FfdheGroup, FfdheGroupName } from './ffdhe-groups.js'
export { generateElGamalKeys, elgamalEncrypt, elgamalDecrypt, elgamalMultiply, elgamalRerandomize } from './multiplicative-elgamal.js'
export type { ElGamalPublicKey, ElGamalPrivateKey, ElGamalCiphertext } from './multiplicative-elgamal.js'
export { generateEcElGamalKeys, ecElGamalEncrypt, ecElGamalDecrypt, ecElGamalAdd, ecElGamalScale, EC_ELGAMAL_DEFAULT_MAX } from './ec-elgamal.js'
export type { EcElGamalKeys } from './ec-elgamal.js'
