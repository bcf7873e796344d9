/**
 * @module cli/commands/identity
 * Issue 16 on the command line:
 * - `krain id new|show`: an anonymous identity (a secret field element; written mode 0600, never sent);
 * - `krain group create|add|remove|prove`: `GroupRegistry` groups (the tree is rebuilt from the
 *   registry's events, the new root computed locally and sent with the change); `prove` makes a
 *   membership proof locally;
 * - `krain policy show|propose|approve|publish`: a policy document's hash against `PolicyRegistry`,
 *   and the t-of-n flow that changes it.
 * Chain access: `--rpc` (`KRAIN_RPC_URL`) and the wallet key of the global `--key` / `KRAIN_KEY` /
 * `.krain/wallet.key`. Heavy modules (viem, @krain/identity) load inside the actions.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { Option, type Command } from 'commander'
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hex, PublicClient, WalletClient } from 'viem'
import { GatewayError } from '../../errors.js'

/** `createGroup`'s verifier 0: the membership verifier GroupRegistry embeds. */
const EMBEDDED_VERIFIER: Address = '0x0000000000000000000000000000000000000000'

const print = (v: unknown): void => void process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2)}\n`)
const usage = (message: string): GatewayError => new GatewayError('CLI_USAGE', { shortMessage: message })
const DEFAULT_IDENTITY_FILE = '.krain/identity.json'

function walletKey(p: Command): Hex {
  const g = p.opts<{ key?: string; keyFile?: string }>()
  const raw = g.key ?? (g.keyFile ? readFileSync(g.keyFile, 'utf8').trim() : undefined) ?? (existsSync('.krain/wallet.key') ? readFileSync('.krain/wallet.key', 'utf8').trim() : undefined)
  if (!raw || !/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new GatewayError('CLI_NO_KEY', { shortMessage: 'a wallet key is needed (--key, --key-file, KRAIN_KEY or .krain/wallet.key)' })
  return raw as Hex
}

async function clients(p: Command, rpc: string | undefined, needWallet: boolean): Promise<{ pub: PublicClient; wallet?: WalletClient }> {
  if (!rpc) throw usage('--rpc (or KRAIN_RPC_URL) is needed')
  const { createPublicClient, createWalletClient, defineChain, http } = await import('viem')
  const { privateKeyToAccount } = await import('viem/accounts')
  const probe = createPublicClient({ transport: http(rpc) })
  const chain = defineChain({ id: await probe.getChainId(), name: 'krain', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc] } } })
  const pub = createPublicClient({ chain, transport: http(rpc) }) as PublicClient
  return needWallet ? { pub, wallet: createWalletClient({ chain, transport: http(rpc), account: privateKeyToAccount(walletKey(p)) }) } : { pub }
}

type Writable = 'nonpayable' | 'payable'

/** The positional arguments of a call (viem's generic args type is an array or `readonly []`). */
const argsOf = (args: unknown): readonly unknown[] => (Array.isArray(args) ? args : [])

/** Simulate, then send, one call of a registry function; `args` are checked against `abi` at compile time. */
async function send<const abi extends Abi, functionName extends ContractFunctionName<abi, Writable>>(
  pub: PublicClient,
  wallet: WalletClient,
  address: Address,
  abi: abi,
  functionName: functionName,
  args: ContractFunctionArgs<abi, Writable, functionName>,
): Promise<{ txHash: Hex; result: unknown }> {
  const wide: Abi = abi // the call is checked above; viem's request type does not follow a generic ABI into writeContract
  const { request, result } = await pub.simulateContract({ address, abi: wide, functionName: String(functionName), args: argsOf(args), account: wallet.account! })
  const txHash = await wallet.writeContract(request)
  const r = await pub.waitForTransactionReceipt({ hash: txHash })
  if (r.status !== 'success') throw new GatewayError('CHAIN_TX_REVERTED', { shortMessage: `${functionName} reverted`, details: txHash })
  return { txHash, result }
}

/** What `krain id new` writes (only the secret is read back); TypeBox loads here, not at CLI start-up (700 files). */
async function readIdentityFile(file: string): Promise<bigint> {
  const [{ Type }, { Value }] = await Promise.all([import('typebox'), import('typebox/value')])
  const IdentityFile = Type.Object({ secret: Type.String({ pattern: '^0x[0-9a-f]{1,64}$' }) })
  if (!existsSync(file)) throw usage(`no identity at ${file}: run \`krain id new\``)
  let v: unknown
  try {
    v = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    v = null
  }
  if (!Value.Check(IdentityFile, v)) throw new GatewayError('CLI_INPUT', { shortMessage: `${file} holds no identity secret` })
  return BigInt(v.secret)
}

const rpcOption = (): Option => new Option('--rpc <url>', 'JSON-RPC URL').env('KRAIN_RPC_URL')
const groupRegistryOption = (): Option => new Option('--registry <address>', 'GroupRegistry address').env('KRAIN_GROUP_REGISTRY_ADDRESS').makeOptionMandatory()
const policyRegistryOption = (): Option => new Option('--registry <address>', 'PolicyRegistry address').env('KRAIN_POLICY_REGISTRY_ADDRESS')
const groupIdOf = (s: string): bigint => {
  if (!/^[1-9]\d{0,76}$/.test(s)) throw usage(`--group expected a positive group id, got ${JSON.stringify(s)}`)
  return BigInt(s)
}
const commitmentOf = (s: string): bigint => {
  if (!/^[1-9]\d{0,77}$/.test(s)) throw usage(`expected a decimal identity commitment, got ${JSON.stringify(s.slice(0, 80))}`)
  return BigInt(s)
}

/** Register `id`, `group` and `policy`. */
export function registerIdentityCommands(p: Command): void {
  const id = p.command('id').description('anonymous identities (the secret stays in a local file, mode 0600)')
  id.command('new')
    .description('create an identity: prints its public commitment (give it to a group admin)')
    .option('--out <file>', 'where to write it', DEFAULT_IDENTITY_FILE)
    .option('--force', 'overwrite an existing identity file')
    .action(async (o: { out: string; force?: boolean }) => {
      if (existsSync(o.out) && !o.force) throw usage(`${o.out} exists; pass --force to overwrite`)
      const { createIdentity } = await import('@krain/identity')
      const identity = await createIdentity()
      mkdirSync(dirname(o.out), { recursive: true })
      writeFileSync(o.out, `${JSON.stringify({ secret: `0x${identity.secret.toString(16)}`, commitment: identity.commitment.toString() })}\n`, { mode: 0o600 })
      chmodSync(o.out, 0o600)
      print({ commitment: identity.commitment.toString(), file: o.out })
    })
  id.command('show')
    .description("the identity's commitment, and the wallet's DID when a key is set")
    .option('--file <file>', 'identity file', DEFAULT_IDENTITY_FILE)
    .option('--chain-id <n>', 'chain of the wallet DID', '31337')
    .action(async (o: { file: string; chainId: string }) => {
      const { createIdentity, didPkh } = await import('@krain/identity')
      const identity = await createIdentity(await readIdentityFile(o.file))
      let did: string | undefined
      try {
        const { privateKeyToAccount } = await import('viem/accounts')
        did = didPkh(Number(o.chainId), privateKeyToAccount(walletKey(p)).address)
      } catch { did = undefined }
      print({ commitment: identity.commitment.toString(), ...(did ? { did } : {}) })
    })

  const group = p.command('group').description('GroupRegistry groups of identity commitments')
  group.command('create')
    .description('create a group administered by the wallet (and --admins)')
    .addOption(rpcOption()).addOption(groupRegistryOption())
    .option('--verifier <address>', 'a separately deployed MembershipVerifier (default: the one GroupRegistry embeds, one cold call cheaper per proof)')
    .option('--window <seconds>', 'how long a replaced root stays valid (revocation delay)', '600')
    .option('--admins <addresses>', 'more admins, comma-separated')
    .action(async (o: { rpc?: string; registry: Address; verifier?: Address; window: string; admins?: string }) => {
      const { groupRegistryAbi } = await import('@krain/identity')
      const { pub, wallet } = await clients(p, o.rpc, true)
      const admins = [wallet!.account!.address, ...(o.admins ? o.admins.split(',').map((a) => a.trim() as Address) : [])]
      const r = await send(pub, wallet!, o.registry, groupRegistryAbi, 'createGroup', [admins, o.verifier ?? EMBEDDED_VERIFIER, BigInt(o.window)])
      print({ groupId: r.result, txHash: r.txHash, admins })
    })
  for (const [name, what] of [['add', 'add a member by its commitment'], ['remove', 'remove a member by its commitment']] as const) {
    group.command(`${name} <commitment>`)
      .description(what)
      .addOption(rpcOption()).addOption(groupRegistryOption())
      .requiredOption('--group <id>', 'group id')
      .action(async (c: string, o: { rpc?: string; registry: Address; group: string }) => {
        const { groupRegistryAbi, readGroup } = await import('@krain/identity')
        const { pub, wallet } = await clients(p, o.rpc, true)
        const groupId = groupIdOf(o.group)
        const commitment = commitmentOf(c)
        const { group: tree } = await readGroup({ publicClient: pub, registry: o.registry, groupId })
        if (name === 'add') {
          tree.add(commitment)
          const r = await send(pub, wallet!, o.registry, groupRegistryAbi, 'addMember', [groupId, commitment, tree.root])
          print({ added: c, index: tree.size - 1, root: tree.root, txHash: r.txHash })
        } else {
          const index = tree.indexOf(commitment)
          if (index < 0) throw usage(`${c} is not a member of group ${o.group}`)
          tree.remove(index)
          const r = await send(pub, wallet!, o.registry, groupRegistryAbi, 'removeMember', [groupId, BigInt(index), commitment, tree.root])
          print({ removed: c, index, root: tree.root, txHash: r.txHash })
        }
      })
  }
  group.command('prove')
    .description('make a membership proof locally (the secret is not sent anywhere)')
    .addOption(rpcOption()).addOption(groupRegistryOption())
    .requiredOption('--group <id>', 'group id')
    .requiredOption('--scope <tag>', 'scope tag, e.g. model:<id>:epoch:<n>')
    .requiredOption('--message <text>', 'what the proof binds (e.g. a request digest)')
    .option('--identity <file>', 'identity file', DEFAULT_IDENTITY_FILE)
    .action(async (o: { rpc?: string; registry: Address; group: string; scope: string; message: string; identity: string }) => {
      const { createIdentity, encodeMembershipProof, generateMembershipProof, readGroup, terminateIdentityCurves } = await import('@krain/identity')
      const { pub } = await clients(p, o.rpc, false)
      const groupId = groupIdOf(o.group)
      const identity = await createIdentity(await readIdentityFile(o.identity))
      const { group: tree } = await readGroup({ publicClient: pub, registry: o.registry, groupId })
      try {
        const proof = await generateMembershipProof({ identity, group: tree, groupId, scope: o.scope, message: o.message })
        print({ proof, header: encodeMembershipProof(proof) })
      } finally {
        await terminateIdentityCurves()
      }
    })

  const policy = p.command('policy').description('policy documents recorded in PolicyRegistry (t-of-n changes)')
  const idOption = (): Option => new Option('--id <policy>', 'policy id (a name or a bytes32)').env('KRAIN_POLICY_ID').makeOptionMandatory()
  const readDoc = (file: string): unknown => {
    try { return JSON.parse(readFileSync(file, 'utf8')) } catch (e) { throw new GatewayError('CLI_INPUT', { shortMessage: `cannot read policy ${file}: ${(e as Error).message}` }) }
  }
  policy.command('show')
    .description("a policy file's hash, and what the registry records")
    .requiredOption('--file <file>', 'policy JSON').addOption(rpcOption()).addOption(policyRegistryOption()).option('--id <policy>', 'policy id')
    .action(async (o: { file: string; rpc?: string; registry?: Address; id?: string }) => {
      const { policyHash, policyIdOf, policyRegistryAbi } = await import('@krain/identity')
      const hash = policyHash(readDoc(o.file))
      if (!o.registry || !o.id) return print({ hash })
      const { pub } = await clients(p, o.rpc, false)
      const [chainHash, version, approvers, threshold] = await pub.readContract({ address: o.registry, abi: policyRegistryAbi, functionName: 'getPolicy', args: [policyIdOf(o.id)] })
      print({ hash, registry: { hash: chainHash, version, approvers, threshold }, matches: chainHash === hash })
    })
  policy.command('propose')
    .description('propose a policy file (creates the policy at version 1 if the id is new); the proposer approves it')
    .requiredOption('--file <file>', 'policy JSON').addOption(rpcOption()).addOption(policyRegistryOption().makeOptionMandatory()).addOption(idOption())
    .option('--approvers <addresses>', 'approvers after the change, comma-separated (default: unchanged)')
    .option('--threshold <t>', 'approvals needed after the change (default: unchanged)')
    .action(async (o: { file: string; rpc?: string; registry: Address; id: string; approvers?: string; threshold?: string }) => {
      const { policyHash, policyIdOf, policyRegistryAbi } = await import('@krain/identity')
      const { pub, wallet } = await clients(p, o.rpc, true)
      const policyId = policyIdOf(o.id)
      const hash = policyHash(readDoc(o.file))
      let current: readonly [Hex, bigint, readonly Address[], number] | undefined
      try { current = await pub.readContract({ address: o.registry, abi: policyRegistryAbi, functionName: 'getPolicy', args: [policyId] }) } catch { current = undefined }
      const approvers = o.approvers ? o.approvers.split(',').map((a) => a.trim() as Address) : current?.[2]
      const threshold = o.threshold ? Number(o.threshold) : current?.[3]
      if (!approvers || threshold === undefined) throw usage('a new policy needs --approvers and --threshold')
      if (!current) {
        const r = await send(pub, wallet!, o.registry, policyRegistryAbi, 'createPolicy', [policyId, hash, approvers, threshold])
        return print({ created: true, policyId, hash, version: 1, txHash: r.txHash })
      }
      const r = await send(pub, wallet!, o.registry, policyRegistryAbi, 'propose', [policyId, hash, approvers, threshold])
      print({ proposalId: r.result, policyId, hash, baseVersion: current[1], approvals: 1, threshold: current[3], txHash: r.txHash })
    })
  policy.command('approve <proposalId>')
    .description('approve a pending proposal (once per approver)')
    .addOption(rpcOption()).addOption(policyRegistryOption().makeOptionMandatory())
    .action(async (proposalId: string, o: { rpc?: string; registry: Address }) => {
      const { policyRegistryAbi } = await import('@krain/identity')
      const { pub, wallet } = await clients(p, o.rpc, true)
      const r = await send(pub, wallet!, o.registry, policyRegistryAbi, 'approve', [BigInt(proposalId)])
      print({ approved: proposalId, txHash: r.txHash })
    })
  policy.command('publish <proposalId>')
    .description('publish a proposal that has its t approvals (gateways then serve the new document)')
    .addOption(rpcOption()).addOption(policyRegistryOption().makeOptionMandatory())
    .action(async (proposalId: string, o: { rpc?: string; registry: Address }) => {
      const { policyRegistryAbi } = await import('@krain/identity')
      const { pub, wallet } = await clients(p, o.rpc, true)
      const r = await send(pub, wallet!, o.registry, policyRegistryAbi, 'execute', [BigInt(proposalId)])
      print({ published: proposalId, txHash: r.txHash })
    })
}
