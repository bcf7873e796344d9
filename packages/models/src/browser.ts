/**
 * @module models/browser
 * `@krain/models` under the `browser` condition: the model IR, its checks, plaintext predictions,
 * training and calibration, without the Node-only parts of the root entry (`breastCancerTask` and
 * `digitsTask` read their data sets from disk; `importOnnx`/`importOnnxFile` read files with
 * `node:fs`). Every name here is the same binding as in `index.ts`.
 */
export type { Activation, DenseLayer, Head, LabelledRows, LinearModel, MlpModel, Model, ModelShape, NetworkLayer, NetworkModel, Standardization } from './types.js'
export { ACTIVATIONS } from './types.js'
export { assertModel, inputsOf, MAX_LAYERS, MAX_LAYER_WIDTH, modelFingerprint, modelShape, outputsOf, toNetwork } from './network.js'
export { accuracy, activate, argmax, denseForward, predictLabel, predictProba, predictScores, softmax, standardizeRow } from './predict.js'
export { trainLogistic, trainMlp, sgdTrain, seededRandom } from './train.js'
export type { SgdTrainParameters } from './train.js'
export type { TrainLogisticParameters, TrainMlpParameters } from './train.js'
export { isOnnxError, OnnxInvalidError, OnnxUnsupportedError, OnnxUnsupportedOperatorError } from './errors.js'
export type { ModelsErrorCode, OnnxErrorParameters, OnnxUnsupportedOperatorErrorParameters } from './errors.js'
export { ONNX_ML_OPERATORS, ONNX_ML_OPSET_RANGE, ONNX_OPERATORS, ONNX_OPSET_RANGE, SUPPORTED_OPERATORS } from './onnx/operators.js'
export { calibrateRanges } from './calibrate.js'
export type { CalibrateRangesParameters, CalibrateRangesReturnType, ValueRange } from './calibrate.js'
