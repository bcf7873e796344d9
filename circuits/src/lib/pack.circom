pragma circom 2.1.6;
/*
 * Packing of signed fixed-point values into field elements (Krain).
 *
 * A value v of width B bits (v in [-2^(B-1), 2^(B-1))) is stored as u = v + 2^(B-1) in [0, 2^B).
 * floor(252 / B) such values go into one field element, little-endian:
 *   out[j] = sum_k u[j*per + k] * 2^(B*k)
 * Every u is range-checked with Num2Bits(B), which makes the packing injective (the packed
 * element is < 2^252 < p) and bounds every value used in the arithmetic, so no product or sum
 * can wrap around the field. Cost: B constraints per value; hashing the packed elements
 * instead of the values divides the Poseidon cost by floor(252 / B).
 * @krain/zk packs identically (packSigned in packages/zk/src/quantize/pack.ts).
 */
include "bitify.circom";

function packPerElement(B) {
    return 252 \ B;
}

function packedLength(n, B) {
    var per = 252 \ B;
    return (n + per - 1) \ per;
}

template PackSigned(n, B) {
    assert(B >= 2 && B <= 126);
    var per = packPerElement(B);
    var m = packedLength(n, B);
    signal input in[n];
    signal output out[m];

    component bits[n];
    var acc[m];
    for (var j = 0; j < m; j++) acc[j] = 0;
    for (var i = 0; i < n; i++) {
        bits[i] = Num2Bits(B);
        bits[i].in <== in[i] + 2 ** (B - 1);
        acc[i \ per] += (in[i] + 2 ** (B - 1)) * 2 ** (B * (i % per));
    }
    for (var j = 0; j < m; j++) out[j] <== acc[j];
}
