pragma circom 2.1.6;
/*
 * Inference circuits (Krain). Public signals, in this order (circom lists outputs first, then
 * public inputs in declaration order): [output, modelCommitment, inputCommitment].
 *
 * Logistic regression on quantised integers:
 *   score = sum_i w[i] * x[i] + b      (b quantised at scale(x) * scale(w))
 *   output = score >= 0 ? 1 : 0
 * MLP with square activation:
 *   h = W1 x + b1;  a = h * h;  z = W2 a + b2;  output = argmax(z)
 * Widths: Bx (inputs), Bw (weights), Bb* (biases), S / D (sign / argmax range checks).
 */
include "commit.circom";
include "arith.circom";

// The sign check needs |score| < 2^(S-1).
function logisticScoreBound(n, Bw, Bb, Bx) {
    return n * 2 ** (Bw - 1) * 2 ** (Bx - 1) + 2 ** (Bb - 1);
}

template LogisticRow(n, Bw, Bb, Bx, S) {
    signal input weights[n];
    signal input bias;
    signal input x[n];
    signal output label;
    component dot = Dot(n);
    dot.a <== weights;
    dot.b <== x;
    component sign = IsNonNegative(S);
    sign.in <== dot.out + bias;
    label <== sign.out;
}

template LogisticInference(n, Bw, Bb, Bx, S) {
    assert(logisticScoreBound(n, Bw, Bb, Bx) < 2 ** (S - 1));
    signal output label;
    signal input modelCommitment;
    signal input inputCommitment;
    signal input weights[n];
    signal input bias;
    signal input x[n];
    signal input salt;

    component mc = LogisticModelCommit(n, Bw, Bb);
    mc.weights <== weights;
    mc.bias <== bias;
    mc.out === modelCommitment;

    component ic = InputCommit(n, Bx);
    ic.x <== x;
    ic.salt <== salt;
    ic.out === inputCommitment;

    component row = LogisticRow(n, Bw, Bb, Bx, S);
    row.weights <== weights;
    row.bias <== bias;
    row.x <== x;
    label <== row.label;
}

// k rows of one committed model. packedLabels = sum_r label[r] * 256^r;
// batchCommitment = PoseidonChain(inputCommitment[0..k)).
template LogisticBatchInference(k, n, Bw, Bb, Bx, S) {
    assert(logisticScoreBound(n, Bw, Bb, Bx) < 2 ** (S - 1));
    assert(k <= 31);
    signal output packedLabels;
    signal input modelCommitment;
    signal input batchCommitment;
    signal input weights[n];
    signal input bias;
    signal input x[k][n];
    signal input salt[k];

    component mc = LogisticModelCommit(n, Bw, Bb);
    mc.weights <== weights;
    mc.bias <== bias;
    mc.out === modelCommitment;

    component ic[k];
    component row[k];
    component chain = PoseidonChain(k);
    var packed = 0;
    for (var r = 0; r < k; r++) {
        ic[r] = InputCommit(n, Bx);
        ic[r].x <== x[r];
        ic[r].salt <== salt[r];
        chain.in[r] <== ic[r].out;
        row[r] = LogisticRow(n, Bw, Bb, Bx, S);
        row[r].weights <== weights;
        row[r].bias <== bias;
        row[r].x <== x[r];
        packed += row[r].label * 256 ** r;
    }
    chain.out === batchCommitment;
    packedLabels <== packed;
}

template MlpInference(nIn, nHid, nOut, Bx, Bw, Bb1, Bb2, D) {
    var hMax = nIn * 2 ** (Bw - 1) * 2 ** (Bx - 1) + 2 ** (Bb1 - 1);
    var zMax = nHid * 2 ** (Bw - 1) * hMax * hMax + 2 ** (Bb2 - 1);
    assert(2 * zMax + 1 < 2 ** D);
    signal output label;
    signal input modelCommitment;
    signal input inputCommitment;
    signal input w1[nHid][nIn];
    signal input b1[nHid];
    signal input w2[nOut][nHid];
    signal input b2[nOut];
    signal input x[nIn];
    signal input salt;

    component mc = MlpModelCommit(nIn, nHid, nOut, Bw, Bb1, Bb2);
    mc.w1 <== w1;
    mc.b1 <== b1;
    mc.w2 <== w2;
    mc.b2 <== b2;
    mc.out === modelCommitment;

    component ic = InputCommit(nIn, Bx);
    ic.x <== x;
    ic.salt <== salt;
    ic.out === inputCommitment;

    component d1[nHid];
    signal a[nHid];
    for (var o = 0; o < nHid; o++) {
        d1[o] = Dot(nIn);
        d1[o].a <== w1[o];
        d1[o].b <== x;
        a[o] <== (d1[o].out + b1[o]) * (d1[o].out + b1[o]);
    }
    component d2[nOut];
    component am = ArgMax(nOut, D);
    for (var o = 0; o < nOut; o++) {
        d2[o] = Dot(nHid);
        d2[o].a <== w2[o];
        d2[o].b <== a;
        am.in[o] <== d2[o].out + b2[o];
    }
    label <== am.out;
}
