/**
 * @module paillier
 * `@krain/he/paillier`: additively homomorphic Paillier encryption (keys, encryption, homomorphic
 * operations, fixed-point and packed encodings, serialisation, paillier-bigint interop).
 */
export { HeError, HeKeyMismatchError, HeScaleError, HeSerializationError } from '../errors.js'
export type { HeErrorParameters } from '../errors.js'
export { PaillierInvalidKeyError, PaillierInvalidCiphertextError, PaillierOverflowError, PaillierPackingOverflowError } from '../errors.js'
export { PaillierPublicKey, PaillierPrivateKey, PAILLIER_DEFAULT_BITS, PAILLIER_MIN_BITS, PAILLIER_MAX_BITS, PAILLIER_TABLE_BUDGET_BYTES, defaultTableWindow } from './keys.js'
export type { PaillierKeyOptions, PaillierKeyPair } from './keys.js'
export { generateKeyPair, generateKeyPairSync } from './keygen.js'
export type { GenerateKeyPairOptions } from './keygen.js'
export { PaillierCiphertext } from './ciphertext.js'
export type { PaillierCiphertextMeta } from './ciphertext.js'
export { encrypt } from './encrypt.js'
export type { EncryptOptions } from './encrypt.js'
export { encryptWithPrivateKey } from './encrypt-crt.js'
export { decrypt } from './decrypt.js'
export { add, sub, negate, addPlain, mulPlain, sum, rerandomize } from './homomorphic.js'
export { encodeSigned, decodeSigned, encryptInteger, decryptInteger } from './integer-encoding.js'
export type { EncryptIntegerOptions } from './integer-encoding.js'
export { createFixedPointEncoder, PaillierFixedPointEncoder } from './fixed-point.js'
export type { FixedPointEncoderOptions } from './fixed-point.js'
export { createPacker, PaillierPacker } from './packing.js'
export type { PackerOptions, PackedCiphertext, PackedDeserializeOptions } from './packing.js'
export { PaillierPackedCiphertext } from './packed-ciphertext.js'
export type { DeserializeCiphertextOptions } from './serialize.js'
export {
  serializePublicKey,
  deserializePublicKey,
  serializePrivateKey,
  deserializePrivateKey,
  serializeCiphertext,
  deserializeCiphertext,
  serializePackedCiphertext,
  deserializePackedCiphertext,
} from './serialize.js'
export { publicKeyToJwk, publicKeyFromJwk, privateKeyToJwk, privateKeyFromJwk } from './jwk.js'
export type { PaillierPublicJwk, PaillierPrivateJwk } from './jwk.js'
export { toPaillierBigint, fromPaillierBigint } from './interop.js'
export { isProbablePrime } from './primes.js'
