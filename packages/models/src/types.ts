/**
 * @module types
 * The one model IR every Krain package shares: plain, JSON-serialisable descriptions that
 * encrypted inference (@krain/he) evaluates on ciphertexts, @krain/zk quantises and proves, the
 * gateway stores, and the ONNX importer produces.
 *
 * Three accepted forms, one canonical form:
 * - `linear` / `logistic`: `score = w·x + b` (the hand-written JSON form of the first release);
 * - `mlp`: dense layers with one activation (or one per hidden layer) and an argmax head;
 * - `network`: the canonical form. Every model normalises to it with `toNetwork`, and every
 *   consumer (planner, quantiser, circuit generator, fingerprint) works on that form only.
 */

/** Element-wise activation applied after a dense layer. */
export type Activation = 'identity' | 'square' | 'relu' | 'sigmoid' | 'tanh'

/** The activations, in a fixed order (for error messages and validation). */
export const ACTIVATIONS: readonly Activation[] = ['identity', 'square', 'relu', 'sigmoid', 'tanh']

/**
 * How the last layer's outputs become the answer:
 * - `sign`: one output, label = score ≥ 0 ? 1 : 0 (binary logistic; probability = sigmoid(score));
 * - `argmax`: label = index of the largest output (multi-class; probabilities = softmax(scores));
 * - `regression`: the outputs are the answer (k ≥ 1 values).
 */
export type Head = 'sign' | 'argmax' | 'regression'

/**
 * Input standardisation `x' = (x − mean) / scale`, applied by the data owner in plaintext before
 * the model (before encryption, before quantisation). `scale[i] ≠ 0`.
 */
export type Standardization = { mean: number[]; scale: number[] }

/** A linear model `score = w·x + b`; for `logistic`, label = score ≥ 0 ? 1 : 0. */
export type LinearModel = { kind: 'linear' | 'logistic'; weights: number[]; bias: number; standardize?: Standardization }

/** A dense layer `y = W x + b`, with `weights[out][in]`. */
export type DenseLayer = { weights: number[][]; bias: number[] }

/**
 * A multi-layer perceptron: an activation after every layer but the last, one for all hidden
 * layers or one per hidden layer (`activation.length = layers.length − 1`); argmax head.
 * `square` is x ↦ x², one multiplication under CKKS and one constraint in a circuit.
 */
export type MlpModel = { kind: 'mlp'; layers: DenseLayer[]; activation: Activation | Activation[]; standardize?: Standardization }

/** One layer of the canonical form: dense, then its activation (`identity` for none). */
export type NetworkLayer = DenseLayer & { activation: Activation }

/**
 * The canonical model: dense layers, each followed by an activation, a head, an optional input
 * standardisation and optional class labels (what `argmax`/`sign` index `i` means, e.g. from
 * skl2onnx's `classlabels_ints`).
 */
export type NetworkModel = {
  kind: 'network'
  layers: NetworkLayer[]
  head: Head
  standardize?: Standardization
  classLabels?: number[] | string[]
}

/** Any model Krain evaluates. */
export type Model = LinearModel | MlpModel | NetworkModel

/** The shape of a model: what circuits, plans and caches are derived from (no weights). */
export type ModelShape = {
  inputs: number
  outputs: number
  /** Per layer: input width, output width, activation. */
  layers: { inputs: number; outputs: number; activation: Activation }[]
  head: Head
  standardized: boolean
  /** Number of weights and biases. */
  parameters: number
}

/** A labelled set of preprocessed rows. */
export type LabelledRows = { x: number[][]; y: number[] }
