/**
 * @module schemas/he
 * Evaluation-key bundles (public key material: public, relinearisation and Galois keys).
 */
import { Type, type Static } from 'typebox'

export const KeyInfo = Type.Object({
  keyId: Type.String(),
  owner: Type.String(),
  scheme: Type.String(),
  bytes: Type.Integer(),
  polyModulusDegree: Type.Integer(),
  galoisSteps: Type.Array(Type.Integer()),
  relin: Type.Boolean(),
  createdAt: Type.Integer(),
})
export type KeyInfo = Static<typeof KeyInfo>
