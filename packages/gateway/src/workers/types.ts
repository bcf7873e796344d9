/**
 * @module workers/types
 * Tasks the worker pool runs. Each is plain structured-clone data in and out; the worker imports
 * the cryptography package it needs on first use.
 */
import type { InferencePlan } from '@krain/he'
import type { Model } from '@krain/models'
import type { ParsedInferenceBody } from './he-request.js'
import type { ContractCallResult, ContractCallTask } from './contract-call.js'

/** A task for the worker pool. */
export type WorkerTask =
  /** Load and check an evaluation-key bundle; report what it holds. */
  | { kind: 'he-inspect-keys'; bundle: Uint8Array }
  /** Parse and validate a raw encrypted-inference request body (JSON); ciphertexts come back as bytes. */
  | { kind: 'he-parse-infer-body'; body: Uint8Array }
  /** Evaluate a model on ciphertexts. `bundle` may be omitted when the worker has `keyId` cached. */
  | { kind: 'he-infer'; keyId: string; bundle?: Uint8Array; model: Model; plan: InferencePlan; ciphertexts: (string | Uint8Array)[] }
  /** Run a deployed secret contract on ciphertexts. */
  | ContractCallTask

/** What each task returns. */
export type WorkerResult<K extends WorkerTask['kind']> = K extends 'he-inspect-keys'
  ? { paramsId: string; polyModulusDegree: number; galoisSteps: number[]; relin: boolean; bytes: number }
  : K extends 'he-parse-infer-body'
    ? ParsedInferenceBody
    : K extends 'he-infer'
        ? { ciphertexts: string[] } | { needBundle: true }
        : K extends 'contract-call'
        ? ContractCallResult
        : never
