/**
 * @module client/eip1193-account
 * A viem `LocalAccount` backed by a browser wallet (EIP-1193, e.g. `window.ethereum`): signing a
 * message asks the wallet (`personal_sign`, EIP-191), so {@link GatewayHttp} signs in through the
 * gateway's SIWE challenge with the user's wallet. The key never reaches the page.
 */
import { stringToHex, type Address, type Hex } from 'viem'
import { toAccount, type LocalAccount } from 'viem/accounts'

/** The one method of an EIP-1193 provider this module uses. */
export type Eip1193Provider = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }

/** Parameters of {@link eip1193Account}. */
export type Eip1193AccountParameters = {
  /** The wallet's provider (`window.ethereum`). */
  provider: Eip1193Provider
  /** Which of its accounts signs; default: the first that `eth_requestAccounts` returns. */
  address?: Address
}

/**
 * Connect to a browser wallet and wrap its account for the SDK (message signing only).
 * @param parameters - `{ provider, address? }`
 * @returns a `LocalAccount` whose `signMessage` asks the wallet; transactions and typed data are refused
 * @throws {TypeError} when `provider` has no `request` method or the wallet returns no account
 * @example
 * ```ts
 * const account = await eip1193Account({ provider: window.ethereum })
 * const http = new GatewayHttp({ url: location.origin, account })
 * await http.signIn() // the wallet asks the user to sign the SIWE message
 * ```
 */
export async function eip1193Account({ provider, address }: Eip1193AccountParameters): Promise<LocalAccount> {
  if (typeof provider?.request !== 'function') throw new TypeError('"provider" expected an EIP-1193 provider (an object with a request method)')
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as unknown
  const list = Array.isArray(accounts) ? accounts.filter((a): a is Address => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a)) : []
  const chosen = address ?? list[0]
  if (!chosen) throw new TypeError('the wallet returned no account (eth_requestAccounts)')
  const refuse = async (): Promise<never> => {
    throw new TypeError('this account only signs messages (the SDK never asks a browser wallet for transactions)')
  }
  return toAccount({
    address: chosen,
    async signMessage({ message }) {
      const data: Hex = typeof message === 'string' ? stringToHex(message) : typeof message.raw === 'string' ? message.raw : (`0x${[...message.raw].map((b) => b.toString(16).padStart(2, '0')).join('')}` as Hex)
      return (await provider.request({ method: 'personal_sign', params: [data, chosen] })) as Hex
    },
    signTransaction: refuse,
    signTypedData: refuse,
  })
}
