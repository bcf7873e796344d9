pragma circom 2.1.6;
/*
 * Signed integer arithmetic helpers (Krain). Values are field elements read as signed integers
 * (v or p - |v|); callers guarantee |values| are bounded (their inputs are range-checked), and
 * each template states the bound it needs so a negative number can never pass as a large
 * positive one.
 */
include "bitify.circom";

// out = sum_i a[i] * b[i]: n constraints.
template Dot(n) {
    signal input a[n];
    signal input b[n];
    signal output out;
    signal prod[n];
    var acc = 0;
    for (var i = 0; i < n; i++) {
        prod[i] <== a[i] * b[i];
        acc += prod[i];
    }
    out <== acc;
}

// out = 1 if in >= 0 else 0, for |in| < 2^(S-1): range-checks in + 2^(S-1) in [0, 2^S) and
// reads its top bit. S constraints. A value outside the bound makes the witness fail.
template IsNonNegative(S) {
    signal input in;
    signal output out;
    component bits = Num2Bits(S);
    bits.in <== in + 2 ** (S - 1);
    out <== bits.out[S - 1];
}

// out = the index of the largest in[i] (the first one on ties), for |in[i]| < 2^(D-2).
// The index is a witness hint, pinned by a one-hot selector and D-bit range checks of
// max - in[j] - [j < out] >= 0.
template ArgMax(n, D) {
    signal input in[n];
    signal output out;

    var best = 0;
    for (var i = 1; i < n; i++) {
        if (in[i] > in[best]) best = i;
    }
    signal sel[n];
    signal picked[n];
    var total = 0;
    var index = 0;
    var maxv = 0;
    for (var i = 0; i < n; i++) {
        sel[i] <-- i == best ? 1 : 0;
        sel[i] * (sel[i] - 1) === 0;
        picked[i] <== sel[i] * in[i];
        total += sel[i];
        index += i * sel[i];
        maxv += picked[i];
    }
    total === 1;
    out <== index;

    component ge[n];
    for (var j = 0; j < n; j++) {
        var after = 0;
        for (var k = j + 1; k < n; k++) after += sel[k];
        ge[j] = Num2Bits(D);
        ge[j].in <== maxv - in[j] - after;
    }
}
