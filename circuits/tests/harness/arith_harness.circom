pragma circom 2.1.6;
// Test harness: Dot, IsNonNegative(8) and ArgMax(5, 10) on signed values.
include "arith.circom";

template ArithHarness() {
    signal input a[4];
    signal input b[4];
    signal input s;
    signal input v[5];
    signal output dot;
    signal output nonNegative;
    signal output argmax;
    component d = Dot(4);
    d.a <== a;
    d.b <== b;
    dot <== d.out;
    component n = IsNonNegative(8);
    n.in <== s;
    nonNegative <== n.out;
    component m = ArgMax(5, 10);
    m.in <== v;
    argmax <== m.out;
}

component main = ArithHarness();
