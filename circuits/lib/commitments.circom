pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "params.circom";

// keyCommit = Poseidon2(H_X, salt) over the key bits X (row-major, T*N of them), exactly as
// src/lib/ml/watermark/commit.ts computes it (docs/ml.md section 4):
//   e_i = sum_b X[128 i + b] 2^b          128-bit limbs, the last one zero-padded
//   h_g = Poseidon16(e_{16g} .. e_{16g+15})   the last group zero-padded
//   H_X = PoseidonG(h_0 .. h_{G-1})       (Poseidon1(h_0) when G = 1)
// The bits must be constrained to 0/1 by the caller (AssertBits); the limbs are then below
// 2^128, so different keys give different limbs.
template KeyCommitment(nBits) {
    signal input bits[nBits];
    signal input salt;
    signal output out;

    var LIMB = 128;
    var GROUP = 16;
    var L = ceilDiv(nBits, LIMB);
    var G = ceilDiv(L, GROUP);
    assert(G >= 1 && G <= 16);

    component groups[G];
    for (var g = 0; g < G; g++) {
        groups[g] = Poseidon(GROUP);
        for (var m = 0; m < GROUP; m++) {
            var i = g * GROUP + m;
            var limb = 0;
            var w = 1;
            for (var b = 0; b < LIMB; b++) {
                if (i * LIMB + b < nBits) {
                    limb += bits[i * LIMB + b] * w;
                }
                w += w;
            }
            groups[g].inputs[m] <== limb;
        }
    }
    component keyHash = Poseidon(G);
    for (var g = 0; g < G; g++) {
        keyHash.inputs[g] <== groups[g].out;
    }
    component commit = Poseidon(2);
    commit.inputs[0] <== keyHash.out;
    commit.inputs[1] <== salt;
    out <== commit.out;
}

// wmCommit = PoseidonE(f_0 .. f_{E-1}) with f_i = sum_{k<K} u_{K i + k} 2^(WB k), the u being
// the offset quantized values q + 2^(WB-1), each already proven to fit WB bits (SignedRange), so
// a limb is a unique base-2^WB number below 2^(K WB) <= 2^253 < p. Positions past N add 0.
template WeightCommitment(N, WB) {
    signal input offset[N];
    signal output out;

    var K = valuesPerLimb(WB);
    var E = ceilDiv(N, K);
    assert(E >= 1 && E <= 16);

    component hash = Poseidon(E);
    for (var i = 0; i < E; i++) {
        var limb = 0;
        var w = 1;
        for (var k = 0; k < K; k++) {
            if (K * i + k < N) {
                limb += offset[K * i + k] * w;
            }
            w = w * (1 << WB);
        }
        hash.inputs[i] <== limb;
    }
    out <== hash.out;
}
