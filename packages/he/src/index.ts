export { HeError } from './errors.js'
export type { HeErrorParameters } from './errors.js'

// --- paillier exports ---
export {
  PaillierInvalidKeyError,
  PaillierInvalidCiphertextError,
  PaillierKeyMismatchError,
  PaillierOverflowError,
  PaillierPackingOverflowError,
  PaillierScaleMismatchError,
  PaillierFormatError,
} from './errors.js'
export { PaillierPublicKey, PaillierPrivateKey, PAILLIER_DEFAULT_BITS, PAILLIER_MIN_BITS, PAILLIER_MAX_BITS, PAILLIER_TABLE_BUDGET_BYTES, defaultTableWindow } from './paillier/keys.js'
export type { PaillierKeyOptions, PaillierKeyPair } from './paillier/keys.js'
export { generateKeyPair, generateKeyPairSync } from './paillier/keygen.js'
export type { GenerateKeyPairOptions } from './paillier/keygen.js'
export { PaillierCiphertext } from './paillier/ciphertext.js'
export type { PaillierCiphertextMeta } from './paillier/ciphertext.js'
export { encrypt } from './paillier/encrypt.js'
export type { EncryptOptions } from './paillier/encrypt.js'
export { encryptWithPrivateKey } from './paillier/encrypt-crt.js'
export { decrypt } from './paillier/decrypt.js'
export { add, sub, negate, addPlain, mulPlain, sum, rerandomize } from './paillier/homomorphic.js'
export { encodeSigned, decodeSigned, encryptInteger, decryptInteger } from './paillier/integer-encoding.js'
export type { EncryptIntegerOptions } from './paillier/integer-encoding.js'
export { createFixedPointEncoder, PaillierFixedPointEncoder } from './paillier/fixed-point.js'
export type { FixedPointEncoderOptions } from './paillier/fixed-point.js'
export { createPacker, PaillierPacker } from './paillier/packing.js'
export type { PackerOptions, PackedCiphertext, PackedDeserializeOptions } from './paillier/packing.js'
export { PaillierPackedCiphertext } from './paillier/packed-ciphertext.js'
export type { DeserializeCiphertextOptions } from './paillier/serialize.js'
export {
  serializePublicKey,
  deserializePublicKey,
  serializePrivateKey,
  deserializePrivateKey,
  serializeCiphertext,
  deserializeCiphertext,
  serializePackedCiphertext,
  deserializePackedCiphertext,
} from './paillier/serialize.js'
export { publicKeyToJwk, publicKeyFromJwk, privateKeyToJwk, privateKeyFromJwk } from './paillier/jwk.js'
export type { PaillierPublicJwk, PaillierPrivateJwk } from './paillier/jwk.js'
export { toPaillierBigint, fromPaillierBigint } from './paillier/interop.js'
export { isProbablePrime } from './paillier/primes.js'

// --- ckks / bfv / seal exports ---
export { loadSeal, sealHeapBytes } from './seal/load-seal.js'
export type { Seal } from './seal/load-seal.js'
export { Scope, withScope, liveSealObjects } from './seal/scope.js'
export type { Deletable } from './seal/scope.js'
export { sealCall } from './seal/guard.js'
export { toBase64, fromBase64 } from './seal/serialization.js'
export { CKKS_PRESETS, MAX_COEFF_BITS_128, ckksChainFor, ckksParametersForDepth, ckksDepth, ckksHeadroomBits, checkCkksParameters } from './ckks/ckks-parameters.js'
export type { CkksParameters } from './ckks/ckks-parameters.js'
export { createCkksContext } from './ckks/ckks-context.js'
export type { CkksContext } from './ckks/ckks-context.js'
export { CkksVector, sumRotationSteps, matmulRotationSteps } from './ckks/ckks-vector.js'
export { CkksClient, createCkksClient } from './ckks/ckks-client.js'
export type { CreateCkksClientParameters } from './ckks/ckks-client.js'
export { loadEvaluationKeys, evaluationKeyId, keyIdOf, EVALUATION_KEYS_VERSION } from './ckks/evaluation-keys.js'
export type { EvaluationKeys, EvaluationKeysHeader, LoadEvaluationKeysOptions } from './ckks/evaluation-keys.js'
export type { CkksKeys } from './ckks/ops.js'
export { planInference, checkPlan, planDigest, inputBoxOf, INFERENCE_PLAN_VERSION, DEFAULT_ACTIVATION_DEGREE, HEADROOM_MARGIN_BITS } from './inference/planner.js'
export type { InferencePlan, InferenceLayout, PlanInferenceParameters, PlannedLayer } from './inference/planner.js'
export { CIPHERTEXT_ENVELOPE_VERSION } from './inference/envelope.js'
export { approximateScores, polynomialNetwork } from './inference/approximate-scores.js'
export type { ApproximateScoresParameters, PolynomialLayer } from './inference/approximate-scores.js'
export { chebyshevInterpolate, chebyshevValue, chebyshevErrorBound, chebyshevDepth } from './inference/approximation.js'
export { compileModel, CompiledModel, DEFAULT_PLAINTEXT_CACHE_BYTES } from './inference/compiled-model.js'
export type { CompileModelParameters } from './inference/compiled-model.js'
export { evaluateModel } from './inference/evaluate-model.js'
export type { EvaluateModelParameters, EvaluateModelReturnType } from './inference/evaluate-model.js'
export { encryptBatch, decryptBatch, admitRows } from './inference/batch.js'
export type { EncryptBatchParameters, DecryptBatchParameters } from './inference/batch.js'
export { modelFingerprint } from './inference/model-shape.js'
export { BfvClient, BfvVector, createBfvClient } from './bfv/bfv.js'
export type { BfvParameters } from './bfv/bfv.js'
export { HeSealError, HeParametersError, HeKeyMismatchError, HeSerializationError, HeDepthError, HeScaleError, HeMissingKeyError, HeNoiseBudgetError, HeDisposedError, HeDiscreteLogError, HeHeadroomError, HeInputRangeError, HeOutputBoundError } from './errors.js'

// --- elgamal exports ---
export { FFDHE_GROUPS } from './elgamal/ffdhe-groups.js'
export type { FfdheGroup, FfdheGroupName } from './elgamal/ffdhe-groups.js'
export { generateElGamalKeys, elgamalEncrypt, elgamalDecrypt, elgamalMultiply, elgamalRerandomize } from './elgamal/multiplicative-elgamal.js'
export type { ElGamalPublicKey, ElGamalPrivateKey, ElGamalCiphertext } from './elgamal/multiplicative-elgamal.js'
export { generateEcElGamalKeys, ecElGamalEncrypt, ecElGamalDecrypt, ecElGamalAdd, ecElGamalScale, EC_ELGAMAL_DEFAULT_MAX } from './elgamal/ec-elgamal.js'
export type { EcElGamalKeys } from './elgamal/ec-elgamal.js'
