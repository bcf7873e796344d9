// Worker thread of @krain/zk's circuit builder: compiles a generated circom file with circom2
// (the circom compiler as WebAssembly, run in its WASI sandbox with the filesystem root
// preopened, so absolute paths work from any directory) and runs the Groth16 phase-2 setup
// with snarkjs (zkey new, a public beacon, verification key, Solidity verifier). Compilation and
// setup are seconds to minutes of CPU: they never run on the caller's event loop.
// Plain JavaScript (not TypeScript) so that it runs as a worker under every loader.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import threads, { parentPort } from 'node:worker_threads'

// See prove-worker.js: ffjavascript's `web-worker` must see a main thread to start its threads.
Object.defineProperty(threads, 'isMainThread', { value: true })
const snarkjs = await import('snarkjs')
const require = createRequire(import.meta.url)

const progress = (id, phase, message) => parentPort.postMessage({ id, type: 'progress', phase, message })

async function compile(job) {
  const { CircomRunner, bindings } = require(`${job.circom2Dir}/index.js`)
  mkdirSync(job.outDir, { recursive: true })
  let out = ''
  // circom writes its report to stdout/stderr: keep it (constraint counts, errors) and forward lines as progress.
  const sandboxFs = {
    ...fs,
    writeSync(fd, buf, off, len, pos) {
      if (fd === 1 || fd === 2) {
        const n = len ?? buf.byteLength - (off ?? 0)
        const text = Buffer.from(buf.buffer, buf.byteOffset + (off ?? 0), n).toString('utf8')
        out += text
        for (const line of text.split('\n')) if (line.trim()) progress(job.id, 'compile', line.replace(/\u001b\[[0-9;]*m/g, '').trim())
        return n
      }
      return fs.writeSync(fd, buf, off, len, pos)
    },
  }
  const args = [job.source, '--r1cs', '--wasm', '--O2', ...job.includes.flatMap((d) => ['-l', d]), '-o', job.outDir]
  const runner = new CircomRunner({ args, env: {}, preopens: { '/': '/' }, bindings: { ...bindings, fs: sandboxFs } })
  try {
    await runner.execute(readFileSync(`${job.circom2Dir}/circom.wasm`))
  } catch (e) {
    throw new Error(`circom failed (${String((e && e.message) || e)}):\n${out.replace(/\u001b\[[0-9;]*m/g, '')}`)
  }
  const num = (label) => Number(new RegExp(`^${label}:\\s*(\\d+)`, 'm').exec(out.replace(/\u001b\[[0-9;]*m/g, ''))?.[1] ?? NaN)
  const info = await snarkjs.r1cs.info(job.r1cs)
  return { constraints: info.nConstraints, wires: num('wires'), publicSignals: info.nPubInputs + info.nOutputs }
}

async function setup(job) {
  const logger = {
    info: (m) => progress(job.id, 'setup', String(m)),
    debug: (m) => progress(job.id, 'setup', String(m)),
    warn: (m) => progress(job.id, 'setup', String(m)),
    error: (m) => progress(job.id, 'setup', String(m)),
  }
  progress(job.id, 'setup', 'zkey new')
  const r = await snarkjs.zKey.newZKey(job.r1cs, job.ptau, job.zkey0, logger)
  if (r === -1) throw new Error('snarkjs zkey new failed (is the powers of tau large enough?)')
  progress(job.id, 'setup', 'beacon (DEV ONLY)')
  const h = await snarkjs.zKey.beacon(job.zkey0, job.zkey, job.beacon.name, job.beacon.hash, job.beacon.iterationsExp, logger)
  if (h === false) throw new Error('snarkjs zkey beacon failed')
  if (job.verify) {
    progress(job.id, 'setup', 'zkey verify')
    if (!(await snarkjs.zKey.verifyFromR1cs(job.r1cs, job.ptau, job.zkey, logger))) throw new Error('the phase-2 key does not verify against its r1cs and the ptau')
  }
  progress(job.id, 'export', 'verification key')
  const vkey = await snarkjs.zKey.exportVerificationKey(job.zkey)
  writeFileSync(job.vkey, `${JSON.stringify(vkey, null, 1)}\n`)
  progress(job.id, 'export', 'Solidity verifier')
  const template = readFileSync(`${job.snarkjsDir}/templates/verifier_groth16.sol.ejs`, 'utf8')
  const sol = await snarkjs.zKey.exportSolidityVerifier(job.zkey, { groth16: template })
  writeFileSync(job.verifier, job.verifierHeader + sol)
  return { beaconHash: Buffer.from(h).toString('hex') }
}

parentPort.on('message', async (job) => {
  try {
    const result = job.type === 'compile' ? await compile(job) : await setup(job)
    parentPort.postMessage({ id: job.id, type: 'done', ok: true, result })
  } catch (e) {
    parentPort.postMessage({ id: job.id, type: 'done', ok: false, message: String((e && e.message) || e) })
  } finally {
    if (job.type === 'setup' && globalThis.curve_bn128) {
      await globalThis.curve_bn128.terminate()
      globalThis.curve_bn128 = null
    }
  }
})
