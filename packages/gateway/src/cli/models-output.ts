/**
 * @module cli/models-output
 * What `krain models register` reads and prints: calibration rows from CSV, and a human summary
 * of a registered model (layers, parameter count, CKKS plan, provability).
 */
import type { ModelInfo } from '@krain/client'

/**
 * Parse calibration rows from CSV: one row per line, numbers separated by commas; a first line
 * that is not numeric (a header) is skipped.
 * @throws {TypeError} on a non-numeric cell or rows of different lengths
 */
export function readCalibrationCsv(text: string): number[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  const rows = lines.map((l) => l.split(',').map((v) => Number(v.trim())))
  if (rows.length && rows[0]!.some((v) => !Number.isFinite(v))) rows.shift()
  if (rows.length === 0) throw new TypeError('"--calibration" expected CSV rows of numbers, got none')
  rows.forEach((r, i) => {
    if (r.some((v) => !Number.isFinite(v))) throw new TypeError(`"--calibration" row ${i + 1} has a cell that is not a number`)
    if (r.length !== rows[0]!.length) throw new TypeError(`"--calibration" row ${i + 1} has ${r.length} values, expected ${rows[0]!.length}`)
  })
  return rows
}

/** A few lines describing a registered model. */
export function describeModel(m: ModelInfo): string {
  const lines: string[] = []
  lines.push(`model ${m.id}: ${m.inputs} features → ${m.outputs} outputs (${m.head ?? m.kind})${m.onnx ? `, from ONNX (${m.onnx.producer}, opset ${m.onnx.opset})` : ''}`)
  for (const [i, l] of (m.layers ?? []).entries()) lines.push(`  layer ${i}: ${l.inputs} → ${l.outputs}, ${l.activation}`)
  if (m.parameters !== undefined) lines.push(`  parameters: ${m.parameters}`)
  const he = m.he
  if (he) lines.push(he.encryptable ? `  HE plan: CKKS N=${he.polyModulusDegree}, depth ${he.depth}, ${he.layout}, error bound ${he.errorBound?.toExponential(2)}${he.approximated?.length ? `, polynomial approximations in ${he.approximated.join(', ')}` : ''}${he.inputRange ? ', calibrated input ranges' : ''}` : `  HE plan: not encryptable (${he.code}: ${he.reason})`)
  const pr = m.proving
  if (pr) {
    if (pr.provable) lines.push(`  provable: yes, ${pr.circuit} circuit${pr.circuitId ? ` ${pr.circuitId}` : ''}${pr.mode ? `, ${pr.mode} weights` : ''}${pr.constraints !== null ? `, ~${pr.constraints} constraints (limit ${pr.limit})` : ''}${pr.agreement !== null ? `, quantised labels agree on ${(pr.agreement * 100).toFixed(1)}% of calibration rows` : ''}`)
    else lines.push(`  provable: no (${pr.reason})`)
  }
  if (m.commitment) lines.push(`  commitment: ${m.commitment}`)
  return `${lines.join('\n')}\n`
}
