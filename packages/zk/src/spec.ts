/**
 * @module spec
 * The shape of every Krain inference circuit: sizes, fixed-point scales and bit widths. The
 * circuit build (`circuits/scripts/build.ts`) writes each main component from these numbers and
 * records them in `circuits/artifacts/manifest.json`; `@krain/zk` refuses artifacts whose
 * manifest disagrees.
 *
 * Public signals of every single-inference circuit: `[output, modelCommitment, inputCommitment]`;
 * of the batch circuit: `[packedOutputs, modelCommitment, batchCommitment]`.
 */

/** Logistic regression on `features` inputs. */
export type LogisticCircuitSpec = {
  kind: 'logistic'
  template: 'LogisticInference'
  features: number
  /** Width (bits, signed) of each quantised input; inputs are `round(x * inputScale)`. */
  inputBits: number
  inputScale: number
  /** Width (bits, signed) of each quantised weight. */
  weightBits: number
  /** Width (bits, signed) of the quantised bias (at scale inputScale * weightScale). */
  biasBits: number
  /** Width of the sign range check: |score| < 2^(signBits-1) for every in-range model and input. */
  signBits: number
}

/** `batch` logistic inferences of one committed model in one proof. */
export type LogisticBatchCircuitSpec = Omit<LogisticCircuitSpec, 'kind' | 'template'> & {
  kind: 'logistic_batch'
  template: 'LogisticBatchInference'
  batch: number
}

/** MLP `features`-`hidden`-`classes` with square activation and argmax output. */
export type MlpCircuitSpec = {
  kind: 'mlp'
  template: 'MlpInference'
  features: number
  hidden: number
  classes: number
  inputBits: number
  inputScale: number
  weightBits: number
  /** Bias widths of layer 1 (scale inputScale*s1) and layer 2 (scale (inputScale*s1)^2 * s2). */
  biasBits: [number, number]
  /** Width of the argmax range checks. */
  argmaxBits: number
}

/** Any circuit spec. */
export type CircuitSpec = LogisticCircuitSpec | LogisticBatchCircuitSpec | MlpCircuitSpec

/** The names of the circuits Krain ships. */
export type CircuitName = 'inference_logistic' | 'inference_mlp' | 'inference_logistic_batch8' | 'inference_logistic_batch13'

/** The names of the batch circuits, smallest batch first. */
export type BatchCircuitName = 'inference_logistic_batch8' | 'inference_logistic_batch13'

const logistic: LogisticCircuitSpec = {
  kind: 'logistic',
  template: 'LogisticInference',
  features: 30,
  inputBits: 24,
  inputScale: 65536,
  weightBits: 16,
  biasBits: 40,
  signBits: 45,
}

function logisticBatch(batch: number): LogisticBatchCircuitSpec {
  return {
    kind: 'logistic_batch',
    template: 'LogisticBatchInference',
    batch,
    features: logistic.features,
    inputBits: logistic.inputBits,
    inputScale: logistic.inputScale,
    weightBits: logistic.weightBits,
    biasBits: logistic.biasBits,
    signBits: logistic.signBits,
  }
}

/**
 * Every circuit Krain ships, by name: `inference_logistic` (breast_cancer, 30 features),
 * `inference_mlp` (digits, 64-16-10, square activation), `inference_logistic_batch8` and
 * `inference_logistic_batch13` (13 rows: the largest batch of this model that fits the 2^14
 * powers of tau, 15,520 constraints; 14 rows would need ≈ 16.6k).
 */
export const CIRCUITS: {
  inference_logistic: LogisticCircuitSpec
  inference_mlp: MlpCircuitSpec
  inference_logistic_batch8: LogisticBatchCircuitSpec
  inference_logistic_batch13: LogisticBatchCircuitSpec
} = {
  inference_logistic: logistic,
  inference_mlp: {
    kind: 'mlp',
    template: 'MlpInference',
    features: 64,
    hidden: 16,
    classes: 10,
    inputBits: 6,
    inputScale: 16,
    weightBits: 9,
    biasBits: [20, 40],
    argmaxBits: 54,
  },
  inference_logistic_batch8: logisticBatch(8),
  inference_logistic_batch13: logisticBatch(13),
}

/** The batch circuits, smallest batch first. */
export const BATCH_CIRCUITS: readonly BatchCircuitName[] = ['inference_logistic_batch8', 'inference_logistic_batch13']

/** The template arguments of a circuit's main component, in declaration order. */
export function templateArguments(spec: CircuitSpec): number[] {
  switch (spec.kind) {
    case 'logistic':
      return [spec.features, spec.weightBits, spec.biasBits, spec.inputBits, spec.signBits]
    case 'logistic_batch':
      return [spec.batch, spec.features, spec.weightBits, spec.biasBits, spec.inputBits, spec.signBits]
    case 'mlp':
      return [spec.features, spec.hidden, spec.classes, spec.inputBits, spec.weightBits, spec.biasBits[0], spec.biasBits[1], spec.argmaxBits]
  }
}

/** Names of the public signals of a circuit, in order. */
export function publicSignalNames(spec: CircuitSpec): [string, string, string] {
  return spec.kind === 'logistic_batch' ? ['packedOutputs', 'modelCommitment', 'batchCommitment'] : ['output', 'modelCommitment', 'inputCommitment']
}
