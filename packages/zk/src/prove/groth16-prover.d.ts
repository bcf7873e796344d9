/** A parsed Groth16 proving key (BN254); opaque. */
export type ProvingKey = { readonly nVars: number; readonly nPublic: number; readonly domainSize: number }
/** A proof with snarkjs' shape (decimal strings). */
export type ProverOutput = { proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: 'groth16'; curve: 'bn128' }; publicSignals: string[] }
/** ffjavascript's multi-threaded bn128 curve, built once and kept in `globalThis.curve_bn128`. */
export declare function getCurve(): Promise<unknown>
/** Parse a zkey once for many proofs (the bytes are kept by reference). */
export declare function loadProvingKey(zkey: Uint8Array): Promise<ProvingKey>
/** Prove with a parsed key and a `.wtns` file's bytes; as `snarkjs.groth16.prove`. */
export declare function proveWithKey(pk: ProvingKey, wtns: Uint8Array): Promise<ProverOutput>
/** A circuit ready to prove (witness calculator + parsed key); opaque. */
export type LoadedCircuit = { readonly pk: ProvingKey }
/** Compile the circuit's wasm and parse its zkey once. */
export declare function loadCircuit(wasm: Uint8Array, zkey: Uint8Array): Promise<LoadedCircuit>
/** The `.wtns` bytes of `input` (calls on one circuit run one after the other). */
export declare function witnessBytes(circuit: LoadedCircuit, input: Record<string, unknown>): Promise<Uint8Array>
/** Witness + proof on a loaded circuit: `snarkjs.groth16.fullProve` without the per-call loading. */
export declare function proveCircuit(circuit: LoadedCircuit, input: Record<string, unknown>): Promise<ProverOutput>
/** End the shared curve's threads (the next proof starts new ones). */
export declare function terminateCurve(): Promise<void>
