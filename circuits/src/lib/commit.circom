pragma circom 2.1.6;
/*
 * Commitments (Krain): a salted input commitment and the two model commitments.
 *
 *   inputCommitment = PoseidonChain(pack(x, Bx) ++ [salt])
 *   logistic model  = PoseidonChain(pack(weights, Bw) ++ pack([bias], Bb))
 *   MLP model       = PoseidonChain(pack(W1 row-major, Bw) ++ pack(b1, Bb1) ++ pack(W2 row-major, Bw) ++ pack(b2, Bb2))
 * Each segment is packed on its own (a field element never mixes two segments).
 */
include "pack.circom";
include "chain.circom";

template InputCommit(n, Bx) {
    signal input x[n];
    signal input salt;
    signal output out;
    var m = packedLength(n, Bx);
    component p = PackSigned(n, Bx);
    p.in <== x;
    component h = PoseidonChain(m + 1);
    for (var j = 0; j < m; j++) h.in[j] <== p.out[j];
    h.in[m] <== salt;
    out <== h.out;
}

template LogisticModelCommit(n, Bw, Bb) {
    signal input weights[n];
    signal input bias;
    signal output out;
    var m = packedLength(n, Bw);
    component pw = PackSigned(n, Bw);
    pw.in <== weights;
    component pb = PackSigned(1, Bb);
    pb.in[0] <== bias;
    component h = PoseidonChain(m + 1);
    for (var j = 0; j < m; j++) h.in[j] <== pw.out[j];
    h.in[m] <== pb.out[0];
    out <== h.out;
}

template MlpModelCommit(nIn, nHid, nOut, Bw, Bb1, Bb2) {
    signal input w1[nHid][nIn];
    signal input b1[nHid];
    signal input w2[nOut][nHid];
    signal input b2[nOut];
    signal output out;
    var m1 = packedLength(nHid * nIn, Bw);
    var m2 = packedLength(nHid, Bb1);
    var m3 = packedLength(nOut * nHid, Bw);
    var m4 = packedLength(nOut, Bb2);
    component p1 = PackSigned(nHid * nIn, Bw);
    component p2 = PackSigned(nHid, Bb1);
    component p3 = PackSigned(nOut * nHid, Bw);
    component p4 = PackSigned(nOut, Bb2);
    for (var o = 0; o < nHid; o++) {
        for (var i = 0; i < nIn; i++) p1.in[o * nIn + i] <== w1[o][i];
        p2.in[o] <== b1[o];
    }
    for (var o = 0; o < nOut; o++) {
        for (var i = 0; i < nHid; i++) p3.in[o * nHid + i] <== w2[o][i];
        p4.in[o] <== b2[o];
    }
    component h = PoseidonChain(m1 + m2 + m3 + m4);
    for (var j = 0; j < m1; j++) h.in[j] <== p1.out[j];
    for (var j = 0; j < m2; j++) h.in[m1 + j] <== p2.out[j];
    for (var j = 0; j < m3; j++) h.in[m1 + m2 + j] <== p3.out[j];
    for (var j = 0; j < m4; j++) h.in[m1 + m2 + m3 + j] <== p4.out[j];
    out <== h.out;
}
