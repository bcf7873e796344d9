// Anonymous group membership (Semaphore v4 style, after semaphore-protocol/semaphore
// packages/circuits/src/semaphore.circom and zk-kit binary-merkle-root.circom).
// commitment = Poseidon(secret); the group is a lean-imt (Poseidon, variable depth <= MAX_DEPTH);
// public: message (request digest), scope; outputs: merkleRoot, nullifier = Poseidon(scope, secret).
pragma circom 2.1.6;

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";
include "mux1.circom";

template BinaryMerkleRoot(MAX_DEPTH) {
    signal input leaf, depth, indices[MAX_DEPTH], siblings[MAX_DEPTH];
    signal output out;
    signal nodes[MAX_DEPTH + 1];
    nodes[0] <== leaf;
    signal roots[MAX_DEPTH];
    var root = 0;
    for (var i = 0; i < MAX_DEPTH; i++) {
        var isDepth = IsEqual()([depth, i]);
        roots[i] <== isDepth * nodes[i];
        root += roots[i];
        var c[2][2] = [[nodes[i], siblings[i]], [siblings[i], nodes[i]]];
        var childNodes[2] = MultiMux1(2)(c, indices[i]);
        nodes[i + 1] <== Poseidon(2)(childNodes);
    }
    var isDepth = IsEqual()([depth, MAX_DEPTH]);
    out <== root + isDepth * nodes[MAX_DEPTH];
}

template Membership(MAX_DEPTH) {
    signal input secret;
    signal input merkleProofLength, merkleProofIndex, merkleProofSiblings[MAX_DEPTH];
    signal input message;
    signal input scope;
    signal output merkleRoot, nullifier;

    // depth in [1, MAX_DEPTH] (a one-member group has depth 0: allowed too, root = leaf)
    var lenOk = LessEqThan(6)([merkleProofLength, MAX_DEPTH]);
    lenOk === 1;

    var commitment = Poseidon(1)([secret]);
    var indices[MAX_DEPTH] = Num2Bits(MAX_DEPTH)(merkleProofIndex);
    merkleRoot <== BinaryMerkleRoot(MAX_DEPTH)(commitment, merkleProofLength, indices, merkleProofSiblings);
    nullifier <== Poseidon(2)([scope, secret]);

    // bind the request digest: a constraint that uses it (as Semaphore does)
    signal dummySquare <== message * message;
}

component main {public [message, scope]} = Membership(20);
