/**
 * @module types
 * Plain, JSON-serialisable model descriptions shared by every Krain package: encrypted
 * inference (@krain/he) evaluates them on ciphertexts, @krain/zk quantises and proves them.
 */

/** A linear model `score = w·x + b`; for `logistic`, label = score ≥ 0 ? 1 : 0. */
export type LinearModel = { kind: 'linear' | 'logistic'; weights: number[]; bias: number }

/** A dense layer `y = W x + b`, with `weights[out][in]`. */
export type DenseLayer = { weights: number[][]; bias: number[] }

/**
 * A multi-layer perceptron with a polynomial activation after every layer but the last:
 * `square` is x ↦ x², which costs one multiplication under CKKS and one constraint in a circuit.
 */
export type MlpModel = { kind: 'mlp'; layers: DenseLayer[]; activation: 'square' }

/** Any model Krain evaluates. */
export type Model = LinearModel | MlpModel

/** A labelled set of preprocessed rows. */
export type LabelledRows = { x: number[][]; y: number[] }
