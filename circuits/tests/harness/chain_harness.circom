pragma circom 2.1.6;
// Test harness: PoseidonChain at the chunk boundaries (1, 16, 17, 31, 32).
include "chain.circom";

template ChainHarness() {
    signal input in[32];
    signal output out[5];
    var sizes[5] = [1, 16, 17, 31, 32];
    component c[5];
    for (var k = 0; k < 5; k++) {
        c[k] = PoseidonChain(sizes[k]);
        for (var i = 0; i < sizes[k]; i++) c[k].in[i] <== in[i];
        out[k] <== c[k].out;
    }
}

component main = ChainHarness();
