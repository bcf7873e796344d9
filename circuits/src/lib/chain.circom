pragma circom 2.1.6;
/*
 * Poseidon hash chain over any number of field elements (Krain).
 *
 *   n <= 16:  H = Poseidon(in[0..n))
 *   n  > 16:  h = Poseidon(in[0..16)); then for each following chunk c of up to 15 elements,
 *             h = Poseidon(h, c...); H = the last h.
 * Poseidon is circomlib's (the same parameters as circomlibjs' buildPoseidon); @krain/zk
 * computes the same chain (poseidonChain in packages/zk/src/commit/poseidon-chain.ts).
 */
include "poseidon.circom";

template PoseidonChain(n) {
    assert(n >= 1);
    signal input in[n];
    signal output out;

    var first = n < 16 ? n : 16;
    var rest = n - first;
    var k = (rest + 14) \ 15;
    component h[k + 1];
    h[0] = Poseidon(first);
    for (var i = 0; i < first; i++) h[0].inputs[i] <== in[i];
    for (var c = 0; c < k; c++) {
        var len = rest - 15 * c < 15 ? rest - 15 * c : 15;
        h[c + 1] = Poseidon(len + 1);
        h[c + 1].inputs[0] <== h[c].out;
        for (var i = 0; i < len; i++) h[c + 1].inputs[i + 1] <== in[first + 15 * c + i];
    }
    out <== h[k].out;
}
