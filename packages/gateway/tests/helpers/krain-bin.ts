/**
 * Run the real `krain` binary (bin/krain.js) as its own process, as a user would, and give back its
 * exit code, stdout and stderr (never throws on a non-zero exit).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const krainBin = fileURLToPath(new URL('../../bin/krain.js', import.meta.url))

/** Output of one `krain` run. */
export type KrainRun = { code: number; stdout: string; stderr: string }

/** Run `krain …args` in `cwd` with `env` added to this process's environment (KRAIN_* of the parent removed). */
export function runKrain(args: string[], { cwd, env = {} }: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<KrainRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KRAIN_')))
  return new Promise((resolve) => {
    execFile(process.execPath, [krainBin, ...args], { cwd, env: { ...base, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr })
    })
  })
}
