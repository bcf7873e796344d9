/**
 * Development trusted setup of the circuits (DEV ONLY, insecure): phase 2 from the local
 * powers-of-tau in `circuits/ptau/` with a public beacon as the only contribution, so anyone can
 * reproduce (and therefore forge with) these keys. Writes `circuits/artifacts/<name>/` and
 * `circuits/artifacts/manifest.json` (sha256 of every file, constraint counts, ptau power,
 * `devOnly: true`). Deterministic: the same sources and ptau give the same files.
 *
 * The ptau itself was made once with (2^14 fits every circuit; ≈ 10 min here):
 *   snarkjs powersoftau new bn128 14 pot14_0000.ptau
 *   snarkjs powersoftau beacon pot14_0000.ptau pot14_beacon.ptau <DEV_PTAU_BEACON> 10 -n="krain dev beacon"
 *   snarkjs powersoftau prepare phase2 pot14_beacon.ptau pot14_final.ptau
 * Run: `npm run setup -w @krain/circuits [-- <circuit> ...]` after `npm run build -w @krain/circuits`.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setup, type CircuitName } from '@krain/zk'
import { circuitsDir } from './build.js'

/** Beacon of the local phase 1 (hex of "krain-dev-setup beaon" padded), as used above. */
export const DEV_PTAU_BEACON = '6b7261696e2d6465762d7365747570206265616f6e2020202020202020202020'
/** Beacon of phase 2: sha256("krain dev phase2 beacon"). */
export const DEV_PHASE2_BEACON = createHash('sha256').update('krain dev phase2 beacon').digest('hex')
export const devPtau = join(circuitsDir, 'ptau', 'pot14_final.ptau')

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.slice(2) as CircuitName[]
  const t0 = performance.now()
  const m = await setup({
    ptau: devPtau,
    outDir: join(circuitsDir, 'artifacts'),
    sourceDir: join(circuitsDir, 'artifacts'),
    circuits: only.length > 0 ? only : undefined,
    beacon: { name: 'krain dev phase2 beacon (INSECURE, development only)', hash: DEV_PHASE2_BEACON, iterationsExp: 10 },
    devOnly: true,
    ptauSource: `local development ceremony (INSECURE): snarkjs powersoftau new bn128 14, beacon ${DEV_PTAU_BEACON} 2^10, prepare phase2`,
    log: (s) => console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s  ${s}`),
  })
  for (const [name, c] of Object.entries(m.circuits)) console.log(`${name}: ${c.constraints} constraints, zkey ${(c.files.zkey.bytes / 1e6).toFixed(1)} MB`)
}
