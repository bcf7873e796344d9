pragma circom 2.1.6;
/*
 * Building blocks of the circuits @krain/zk generates from a model (Krain). Every width is chosen
 * by @krain/zk's interval analysis (quantizeNetwork), which bounds each input of these templates
 * for any in-range input (and, with committed weights, any weights of the committed widths), so
 * a negative value can never pass as a large positive field element.
 */
include "commit.circom";
include "arith.circom";

// out = max(in, 0) >> k (floor), for |in| < 2^(S-1): one S-bit decomposition of in + 2^(S-1)
// gives the sign (top bit) and the quotient (bits k..S-2); S + 1 constraints.
template ReluRescale(S, k) {
    assert(S >= 2 && S <= 252 && k >= 0 && k <= S - 1);
    signal input in;
    signal output out;
    component bits = Num2Bits(S);
    bits.in <== in + 2 ** (S - 1);
    var q = 0;
    for (var j = k; j < S - 1; j++) q += bits.out[j] * 2 ** (j - k);
    out <== bits.out[S - 1] * q;
}

// out = floor(in / 2^k), for |in| < 2^(M-1): M constraints.
template RescaleSigned(M, k) {
    assert(M >= 2 && M <= 252 && k >= 1 && k <= M - 1);
    signal input in;
    signal output out;
    component bits = Num2Bits(M);
    bits.in <== in + 2 ** (M - 1);
    var q = 0;
    for (var j = k; j < M; j++) q += bits.out[j] * 2 ** (j - k);
    out <== q - 2 ** (M - 1 - k);
}

// out = floor(in / 2^k), for 0 <= in < 2^M: M constraints.
template RescaleUnsigned(M, k) {
    assert(M >= 1 && M <= 252 && k >= 1 && k <= M);
    signal input in;
    signal output out;
    component bits = Num2Bits(M);
    bits.in <== in;
    var q = 0;
    for (var j = k; j < M; j++) q += bits.out[j] * 2 ** (j - k);
    out <== q;
}
