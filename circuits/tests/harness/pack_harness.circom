pragma circom 2.1.6;
// Test harness: PackSigned with a narrow and a wide width.
include "pack.circom";

template PackHarness() {
    signal input narrow[40];
    signal input wide[3];
    signal output outNarrow[2];
    signal output outWide[1];
    component a = PackSigned(40, 9);
    a.in <== narrow;
    outNarrow <== a.out;
    component b = PackSigned(3, 40);
    b.in <== wide;
    outWide <== b.out;
}

component main = PackHarness();
