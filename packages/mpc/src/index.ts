export { MpcError, MpcCheaterError, MpcDealerError } from './errors.js'
export type { MpcErrorParameters, MpcErrorCode } from './errors.js'

// protocol
export { createSession, validateSession, partyIndex, aggregateBound, encodedBound, MAX_PARTIES, MAX_LENGTH } from './protocol/session.js'
export type { CreateSessionParameters } from './protocol/session.js'
export { Coordinator } from './protocol/coordinator.js'
export type { CoordinatorParameters, ReceiveResult } from './protocol/coordinator.js'
export { Party } from './protocol/party.js'
export type { PartyParameters } from './protocol/party.js'
export { parsePartyMessage, payloadOf, contributorsDigestHex, sumShareDigest, sharesDigest, sharesManifest, ciphertextBytes, vectorBytes } from './protocol/messages.js'
export { reconstructResidues } from './protocol/reconstruct.js'
export { verifyDealerComplaint, complaintDigest } from './protocol/complaint.js'
export type { DealerComplaintVerdict } from './protocol/complaint.js'
export type { ReconstructParameters, ReconstructReturnType } from './protocol/reconstruct.js'
export type {
  Address,
  AggregateResult,
  BundledShare,
  ContributorsMessage,
  CoordinatorMemory,
  CoordinatorState,
  DealerComplaint,
  DpConfig,
  EncryptedShare,
  Hex,
  JoinMessage,
  JsonForm,
  PartyMessage,
  PartyMemory,
  PartyState,
  Phase,
  Round,
  RosterMessage,
  SessionConfig,
  ShareBundle,
  SharesMessage,
  SumShareMessage,
} from './protocol/types.js'

// field and sharing (pure functions on typed arrays: usable in a worker)
export { P1, P2, PRIMES, MODULUS, MAX_ABS_AGGREGATE, ELEMENT_BYTES, ELEMENT_BITS, mulMod, crtSigned, crtVector } from './field/field.js'
export { shareResidues, addResidues, interpolateResidues, lagrangeCoefficients } from './field/shamir.js'
export type { ShareResiduesParameters } from './field/shamir.js'
export { decodeReedSolomon } from './field/berlekamp-welch.js'
export { encodeVector, decodeVector } from './encoding/fixed-point.js'
export type { EncodeVectorParameters } from './encoding/fixed-point.js'
export { sampleDiscreteLaplace, dpNoiseBound, dpNoiseStd, encodedSensitivity } from './dp/noise.js'

// identities and share encryption
export { addressOf, aPrivateKey, signDigest, recoverSigner, signHash, recoverHashSigner } from './crypto/identity.js'
export { generateEncryptionKeyPair, sealTo, openSealed, AEAD_OVERHEAD, KEY_COMMITMENT_BYTES, keyCommitment } from './crypto/share-encryption.js'
export type { EncryptionKeyPair } from './crypto/share-encryption.js'

// simulator and key custody
export { simulate } from './simulator/simulate.js'
export type { Envelope, NetworkAction, Refusal, SimulateParameters, SimulateReturnType } from './simulator/simulate.js'
export { splitSecret, openCustodyShare, recoverSecret } from './custody/key-custody.js'
export type { CustodyShare, SplitSecretParameters, RecoverSecretParameters } from './custody/key-custody.js'
export { packMessage, unpackMessage } from './protocol/wire.js'
export { jsonLength } from './simulator/simulate.js'
export { deriveShareKey, sealBytes, openBytes, shareAad } from './crypto/share-encryption.js'
export type { DeriveShareKeyParameters } from './crypto/share-encryption.js'

// binary wire form of the messages (CBOR, share payloads as raw bytes)
export { encodeMessage, encodeMessageParts, decodeMessage, MESSAGE_MEDIA_TYPE, BYTES_FIELDS } from './wire/message-wire.js'
export { encodeResult, decodeResult } from './wire/result-wire.js'
export { toJsonForm, fromJsonForm, PAYLOAD_FIELDS } from './protocol/json-form.js'
export { encodeCbor, encodeCborParts, decodeCbor } from './wire/cbor.js'
export type { EncodeCborOptions, DecodeCborOptions } from './wire/cbor.js'
