/**
 * Run the real server entry (`src/server.ts`) as a child process, so a test can SIGKILL it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url))
const pkgDir = fileURLToPath(new URL('../..', import.meta.url))

/** A free loopback port (the local cluster's). */
export { freePort } from '../../src/worker/local-cluster.js'

/** Start the gateway in a child process; resolves once it listens. */
export async function startChildGateway(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry], { cwd: pkgDir, env: { ...process.env, KRAIN_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString()
      const m = /listening on (http:\/\/\S+)/.exec(stderr)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)))
  })
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await gone
  }
  return { child, url, kill }
}
