/**
 * @module types
 * The protocol's messages and states. Messages are plain objects whose share payloads (share
 * ciphertexts, sum-shares) are `Uint8Array`s in memory: the binary transport carries them as they
 * are, and nothing on the hot path converts them to text. Their JSON form ({@link JsonForm},
 * `toJsonForm` in `json-form.ts`) has those payloads as base64 strings; it is what JSON transports
 * carry and what signatures are defined on (a payload's digest is SHA-256 of its base64 text), so
 * both forms carry the same signed fields. Small byte fields (X25519 keys) stay base64 strings in
 * both forms; signatures and digests are 0x-hex, big integers decimal strings, times milliseconds
 * since the epoch. States (`toJSON`) are in the JSON form. A transport (the gateway's HTTP routes,
 * a queue, a test network) only moves messages; it never needs to look inside.
 */

/** A value's JSON form: every `Uint8Array` in it becomes its base64 string. */
export type JsonForm<T> = T extends Uint8Array ? string : T extends readonly unknown[] ? { [K in keyof T]: JsonForm<T[K]> } : T extends object ? { [K in keyof T]: JsonForm<T[K]> } : T

/** 0x-prefixed hex. */
export type Hex = `0x${string}`
/** An EIP-55 checksummed Ethereum address: the identity of a party or coordinator. */
export type Address = `0x${string}`

/** Round names, in order. */
export type Round = 'join' | 'share' | 'sum'
/** Where a session is. */
export type Phase = 'join' | 'share' | 'sum' | 'done' | 'failed'

/** Differential-privacy settings of a session (see the README for the accounting). */
export type DpConfig = {
  /** ε of the released aggregate (pure ε-DP up to the clamping δ). */
  epsilon: number
  /** L1 sensitivity of one party's whole vector to one individual, in real (unscaled) units. */
  l1Sensitivity: number
}

/** A session's parameters. `sessionId` is the SHA-256 of all the other fields. */
export type SessionConfig = {
  version: 1
  sessionId: Hex
  /** Address of the coordinator that signs rosters and contributor sets. */
  coordinator: Address
  /** Allowed parties; party `parties[i]` holds the shares at x = i + 1. */
  parties: Address[]
  /** Any `threshold` sum-shares reconstruct; `threshold − 1` colluding parties learn nothing. */
  threshold: number
  /** Vector length L. */
  length: number
  /** Fixed-point scale: a value v is encoded as round(v · scale). */
  scale: number
  /** Per-value bound: every input must satisfy |v| ≤ bound. */
  bound: number
  /** The aggregate is released only if at least this many parties contributed. */
  minContributors: number
  /** Deadlines (ms since epoch) of the join, share and sum rounds. */
  deadlines: { join: number; share: number; sum: number }
  /** Optional distributed discrete-Laplace noise; `null` for an exact sum. */
  dp: DpConfig | null
  /** Random nonce so two otherwise equal sessions get different ids. */
  nonce: Hex
  /** The residue primes of the share field (informational; fixed by the protocol version). */
  primes: number[]
  /**
   * Release a sum that no extra sum-share cross-checked (exactly t consistent sum-shares: one
   * lying holder would change it undetected), marked `verified: false`. Without this opt-in such a
   * session fails with `MPC_RESULT_UNVERIFIED`. Part of the session id; absent means false.
   */
  allowUnverified?: boolean
}

/** Round 1 (party → coordinator): a signed join publishing the party's X25519 encryption key. */
export type JoinMessage = {
  type: 'join'
  sessionId: Hex
  from: Address
  /** X25519 public key, base64 of 32 bytes. */
  encryptionKey: string
  signature: Hex
}

/** Coordinator → parties after the join round: the members, with their own signed joins. */
export type RosterMessage = {
  type: 'roster'
  sessionId: Hex
  /** Joins of the members, in party-index order. */
  members: JoinMessage[]
  /** Coordinator's signature. */
  signature: Hex
}

/** One encrypted share inside a {@link SharesMessage}. */
export type EncryptedShare = {
  to: Address
  /** key commitment ‖ nonce ‖ AES-256-GCM(share vector) ‖ tag (base64 in the JSON form). */
  ciphertext: Uint8Array
}

/** Round 2 (party → coordinator): the party's shares for every other member, each encrypted to it. */
export type SharesMessage = {
  type: 'shares'
  sessionId: Hex
  from: Address
  /** One per other roster member, in roster order. */
  shares: EncryptedShare[]
  signature: Hex
}

/** Coordinator → parties when the share round closes: the signed contributor set U. */
export type ContributorsMessage = {
  type: 'contributors'
  sessionId: Hex
  /** Parties whose shares were received in time, in party-index order. */
  contributors: Address[]
  signature: Hex
}

/** What one sender signed for one recipient, relayed in a {@link ShareBundle}. */
export type BundledShare = {
  from: Address
  ciphertext: Uint8Array
  /** `[to, sha256(ciphertext)]` for every share of the sender's upload, in its order. */
  manifest: [Address, Hex][]
  /** The sender's signature over its upload (checks `manifest`). */
  signature: Hex
}

/** Coordinator → one party: the contributor set and the ciphertexts addressed to that party. */
export type ShareBundle = {
  type: 'share-bundle'
  sessionId: Hex
  to: Address
  contributors: ContributorsMessage
  shares: BundledShare[]
}

/** Round 3 (party → coordinator): the party's share of the sum over U, signed. */
export type SumShareMessage = {
  type: 'sum-share'
  sessionId: Hex
  from: Address
  /** Digest of the contributor set this sum is over. */
  contributorsDigest: Hex
  /** The sum-share residue vector (2L little-endian uint32; base64 in the JSON form). */
  share: Uint8Array
  signature: Hex
}

/**
 * Round 3 (party → coordinator, instead of a sum-share): proof that a dealer's signed share to
 * this party is invalid. It reveals the one pairwise AES key of (dealer → this party), which
 * opens only that share: a share of a dealer shown to misbehave, or one the complainant could
 * leak anyway. Anyone checks it with `verifyDealerComplaint`.
 */
export type DealerComplaint = {
  type: 'dealer-complaint'
  sessionId: Hex
  /** The complaining recipient. */
  from: Address
  /** The dealer complained about. */
  dealer: Address
  /** The dealer's ciphertext to `from`, as relayed (base64 in the JSON form). */
  ciphertext: Uint8Array
  /** The dealer's signed manifest (`[to, sha256(ciphertext)]` per recipient). */
  manifest: [Address, Hex][]
  /** The dealer's signature over its upload (covers `manifest`). */
  dealerSignature: Hex
  /** The pairwise share key (base64 of 32 bytes); its SHA-256 commitment heads the ciphertext. */
  key: string
  /** The complainant's signature. */
  signature: Hex
}

/** Any message a party sends. */
export type PartyMessage = JoinMessage | SharesMessage | SumShareMessage | DealerComplaint

/** The released aggregate. */
export type AggregateResult = {
  type: 'result'
  sessionId: Hex
  /** U: whose inputs are in the sum. */
  contributors: Address[]
  /** Parties whose sum-shares were used and agreed. */
  sumShareHolders: Address[]
  /**
   * Parties whose sum-share lay off the polynomial the others agree on (they lied, or a dealer
   * gave them a share off its polynomial that no complaint could show; see the README).
   */
  cheaters: Address[]
  /** Dealers proven (by a recipient's `DealerComplaint`) to have sent an invalid share. */
  dealersBlamed?: Address[]
  /**
   * True when more than `threshold` consistent sum-shares cross-checked the result. False only in
   * a session created with `allowUnverified: true` (otherwise such a sum is refused).
   */
  verified: boolean
  /** The sum is right unless more than this many sum-share holders lied in concert (0 = unchecked). */
  liarTolerance: number
  /** The exact sum in scaled integer units, as decimal strings. */
  sum: string[]
  /** `sum / scale` as numbers. */
  values: number[]
}

/** What a coordinator stores: everything, in its JSON form (see `Coordinator.toJSON`). */
export type CoordinatorState = JsonForm<CoordinatorMemory>

/** A coordinator's state in memory (payloads as bytes). */
export type CoordinatorMemory = {
  version: 1
  config: SessionConfig
  phase: Phase
  joins: Record<Address, JoinMessage>
  roster: RosterMessage | null
  /** Share uploads by sender, with the digest their signature covers. */
  uploads: Record<Address, { message: SharesMessage; digest: Hex; manifest: [Address, Hex][] }>
  contributors: ContributorsMessage | null
  sumShares: Record<Address, SumShareMessage>
  /** Upheld dealer complaints, by complainant (absent in states stored before they existed). */
  complaints?: Record<Address, DealerComplaint>
  result: AggregateResult | null
  failure: { code: string; message: string; cheaters?: Address[] } | null
}

/** What a party stores (its own secrets included; it never leaves the party), in its JSON form. */
export type PartyState = JsonForm<PartyMemory>

/** A party's state in memory (payloads as bytes). */
export type PartyMemory = {
  version: 1
  config: SessionConfig
  address: Address
  /** The party's X25519 key pair for this session. */
  encryption: { publicKey: string; privateKey: string }
  join: JoinMessage | null
  roster: RosterMessage | null
  shares: SharesMessage | null
  /** The party's share of its own input (base64), kept locally, never uploaded. */
  ownShare: string | null
  sumShare: SumShareMessage | null
}
