/**
 * @module client/create-chain-client
 * A viem public client (reads, logs) and, with a private key, a wallet client (transactions)
 * for one EVM JSON-RPC endpoint. The chain is identified by asking the node for its id, so the
 * same code talks to anvil, Base Sepolia or Base.
 */
import { aString, anObject } from '@krain/core'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  webSocket,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { anvil, base, baseSepolia, mainnet, sepolia } from 'viem/chains'
import { ChainError } from '../errors.js'

/** Parameters of {@link createChainClient}. */
export type CreateChainClientParameters = {
  /** JSON-RPC URL (http(s) or ws(s)). */
  rpcUrl: string
  /** Signing key; without it the client is read-only. */
  privateKey?: Hex
  /** Poll interval for receipts and event watching, ms (default 100 on loopback, 2000 elsewhere). */
  pollingInterval?: number
}

/** A connected client: reads through `publicClient`, writes through `walletClient`. */
export type ChainClient = {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  walletClient: WalletClient<Transport, Chain, Account> | undefined
  account: Account | undefined
  rpcUrl: string
}

const KNOWN: Record<number, Chain> = { [anvil.id]: anvil, [base.id]: base, [baseSepolia.id]: baseSepolia, [mainnet.id]: mainnet, [sepolia.id]: sepolia }

/**
 * Connect to an EVM JSON-RPC endpoint.
 *
 * @param parameters - `rpcUrl`, optional `privateKey`
 * @returns the client, its chain resolved from `eth_chainId`
 * @throws ChainError `CHAIN_RPC_ERROR` when the node does not answer
 * @example
 * ```ts
 * const client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0] })
 * ```
 */
export async function createChainClient(parameters: CreateChainClientParameters): Promise<ChainClient> {
  anObject(parameters, 'parameters')
  const rpcUrl = aString(parameters.rpcUrl, 'rpcUrl', 2048)
  const loopback = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(rpcUrl)
  const pollingInterval = parameters.pollingInterval ?? (loopback ? 100 : 2000)
  const transport = (): Transport => (rpcUrl.startsWith('ws') ? webSocket(rpcUrl) : http(rpcUrl, { retryCount: loopback ? 0 : 3 }))
  let chainId: number
  try {
    chainId = await createPublicClient({ transport: transport() }).getChainId()
  } catch (cause) {
    throw new ChainError('CHAIN_RPC_ERROR', { shortMessage: `no answer from the JSON-RPC endpoint ${new URL(rpcUrl).origin}`, cause })
  }
  const chain =
    KNOWN[chainId] ??
    defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } })
  const publicClient = createPublicClient({ chain, transport: transport(), pollingInterval }) as PublicClient<Transport, Chain>
  let account: Account | undefined
  let walletClient: WalletClient<Transport, Chain, Account> | undefined
  if (parameters.privateKey !== undefined) {
    if (typeof parameters.privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(parameters.privateKey)) {
      throw new TypeError('"privateKey" expected 32 bytes of 0x-prefixed hex')
    }
    account = privateKeyToAccount(parameters.privateKey)
    walletClient = createWalletClient({ account, chain, transport: transport(), pollingInterval })
  }
  return { chain, publicClient, walletClient, account, rpcUrl }
}

/** The wallet client of `client`, or a `CHAIN_NO_ACCOUNT` error for a read-only client. */
export function requireWallet(client: ChainClient): WalletClient<Transport, Chain, Account> {
  if (!client.walletClient) throw new ChainError('CHAIN_NO_ACCOUNT', { shortMessage: 'this operation sends a transaction: give the client a private key (KRAIN_PRIVATE_KEY)' })
  return client.walletClient
}
