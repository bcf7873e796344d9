/**
 * @module @krain/identity
 * Anonymous group membership (Groth16, scoped nullifiers), DIDs and EIP-712 credentials.
 */
export { IDENTITY_ERROR_CODES, IdentityError, type IdentityErrorCode, type IdentityErrorParameters } from './errors.js'
export { createIdentity, type Identity } from './membership/identity.js'
export { Group, MAX_DEPTH, type MerkleProof } from './membership/group.js'
export { poseidon, SNARK_FIELD } from './membership/poseidon.js'
export { MEMBERSHIP_ARTIFACTS_DIR, membershipArtifacts } from './membership/artifacts.js'
export { generateMembershipProof, membershipCalldata, membershipScope, terminateIdentityCurves, toField, verifyMembershipProof, warmMembershipProver, type GenerateMembershipProofParameters, type MembershipProof } from './membership/prove.js'
export { MemoryNullifierStore, type NullifierStore } from './membership/nullifier-store.js'
export { RootHistory } from './membership/root-history.js'
export { verifyMembershipRequest, type VerifyMembershipRequestParameters } from './membership/verify-request.js'
export { didKey, didPkh, parseDid, type DidKeyType, type ParsedDid } from './did/did.js'
export { CREDENTIAL_DOMAIN, CREDENTIAL_TYPES, issueCredential, verifyCredential, type Attributes, type Credential, type IssueCredentialParameters, type VerifyCredentialParameters } from './credential/credential.js'
export { anonymousRequestDigest, anonymousScope, decodeMembershipProof, encodeMembershipProof, epochOf, MAX_PROOF_HEADER_LENGTH, MEMBERSHIP_PROOF_HEADER, type AnonymousRequestDigestParameters } from './request/anonymous-request.js'
export { canonicalJson, policyHash, policyIdOf } from './policy/policy-hash.js'
export { CONTRACT_ARTIFACTS_DIR, deployIdentityRegistries, groupRegistryAbi, policyRegistryAbi, readGroup, type DeployIdentityRegistriesParameters, type ReadGroupParameters } from './chain/registries.js'
