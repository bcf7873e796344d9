/**
 * Minimal type declarations for the untyped libraries @krain/zk wraps (only what it calls).
 */
declare module 'circomlibjs' {
  export type Poseidon = { (inputs: readonly bigint[]): Uint8Array; F: { toObject(x: Uint8Array): bigint } }
  export function buildPoseidon(): Promise<Poseidon>
}

declare module 'ffjavascript' {
  export function buildBn128(singleThread?: boolean): Promise<unknown>
}

declare module 'snarkjs' {
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: string | Uint8Array, zkey: string | Uint8Array): Promise<{ proof: unknown; publicSignals: string[] }>
    verify(vkey: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>
    exportSolidityCallData(proof: unknown, publicSignals: unknown): Promise<string>
  }
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: string | Uint8Array, wtns: string | { type: 'mem'; data?: Uint8Array }): Promise<void>
    exportJson(wtns: string | { type: 'mem'; data?: Uint8Array }): Promise<unknown>
  }
  export const r1cs: { info(path: string): Promise<unknown> }
  export type Logger = { info(m: unknown): void; debug(m: unknown): void; warn(m: unknown): void; error(m: unknown): void }
  export const curves: { getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }> }
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, fileName: string, logger?: Logger): Promise<unknown>
    beacon(oldPtau: string, newPtau: string, name: string, hash: string, iterationsExp: number, logger?: Logger): Promise<unknown>
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>
  }
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string): Promise<unknown>
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string): Promise<unknown>
    beacon(oldZkey: string, newZkey: string, name: string, hash: string, iterationsExp: number): Promise<unknown>
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string): Promise<boolean>
    exportVerificationKey(zkey: string | Uint8Array): Promise<Record<string, unknown>>
    exportSolidityVerifier(zkey: string, templates: Record<string, string>): Promise<string>
  }
}
