/**
 * @module field
 * The BN254 scalar field every circuit signal lives in (circom's default prime `bn128`).
 */

/** The BN254 (alt_bn128) scalar field modulus `r`: every public signal and salt is `< r`. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** The BN254 base field modulus `q`: every proof coordinate is `< q`. */
export const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
