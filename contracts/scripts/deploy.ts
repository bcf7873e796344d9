/**
 * Deploy InferenceRegistry and the generated Groth16 verifiers.
 *
 * - With `KRAIN_RPC_URL` and `KRAIN_PRIVATE_KEY` set: deploys to that chain (Base Sepolia, Base,
 *   any EVM), prints the addresses and writes `contracts/deployments/<chainId>.json`.
 * - Without `KRAIN_RPC_URL`: starts anvil on a free loopback port, deploys there and prints the
 *   addresses; with `--keep` it keeps anvil running until Ctrl-C.
 *
 * Options: `--owner 0x…` (registry owner, default the deployer), `--circuits a,b` (verifiers to
 * deploy, default all generated), `--out file.json` (where to write the deployment record on a
 * configured chain), `--keep` (anvil only).
 *
 * Run: `npm run deploy -w @krain/contracts` (or with `-- --keep`)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { chainConfigFromEnv, createChainClient, deployContracts, startAnvil, verifierCircuits, type Anvil } from '@krain/chain'
import { getAddress } from 'viem'
import { contractsDir } from './lib/paths.js'

const { values } = parseArgs({ options: { owner: { type: 'string' }, circuits: { type: 'string' }, keep: { type: 'boolean', default: false }, out: { type: 'string' } } })
const config = chainConfigFromEnv()
let anvil: Anvil | undefined
let rpcUrl = config.rpcUrl
let privateKey = config.privateKey
if (!rpcUrl) {
  anvil = await startAnvil()
  rpcUrl = anvil.rpcUrl
  privateKey ??= anvil.privateKeys[0]!
  console.error(`started anvil at ${rpcUrl} (pid ${anvil.pid})`)
} else if (!privateKey) {
  console.error('KRAIN_PRIVATE_KEY is required to deploy to KRAIN_RPC_URL')
  process.exit(2)
}

try {
  const client = await createChainClient({ rpcUrl, privateKey })
  const circuits = values.circuits ? values.circuits.split(',').map((s) => s.trim()).filter(Boolean) : verifierCircuits()
  const deployed = await deployContracts({ client, circuits, ...(values.owner ? { owner: getAddress(values.owner) } : {}) })
  const record = {
    chainId: client.chain.id,
    chain: client.chain.name,
    deployer: client.account!.address,
    registry: deployed.registry,
    verifiers: deployed.verifiers,
    blockNumber: deployed.blockNumber.toString(),
    gasUsed: Object.fromEntries(Object.entries(deployed.gasUsed).map(([k, v]) => [k, v.toString()])),
    deployedAt: new Date().toISOString(),
  }
  console.log(JSON.stringify(record, null, 2))
  if (!anvil) {
    const out = values.out ?? join(contractsDir, 'deployments', `${client.chain.id}.json`)
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`)
    console.error(`wrote ${out}`)
    console.error(`export KRAIN_REGISTRY_ADDRESS=${deployed.registry}`)
  } else if (values.keep) {
    console.error(`anvil keeps running: export KRAIN_RPC_URL=${rpcUrl} KRAIN_REGISTRY_ADDRESS=${deployed.registry}; Ctrl-C to stop`)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
      // keep the event loop alive while anvil (unreferenced) serves
      setInterval(() => {}, 1 << 30)
    })
  }
} finally {
  await anvil?.stop()
}
process.exit(0)
