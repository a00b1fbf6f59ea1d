pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "params.circom";

// The decoded bit of one key row: d = 1 iff s = sum_k (2 x_k - 1) q_k > 0 (a zero projection
// decodes to 0), as src/lib/ml/watermark/decode.ts. x must be 0/1 and q signed WB-bit values
// (checked by the caller), so |s| <= N 2^(WB-1) < 2^SB - 1 with SB = bitLength(N 2^(WB-1) + 1).
// Then c = s - 1 + 2^SB is an integer in [0, 2^(SB+1)), and its bit SB is 1 exactly when s >= 1.
// Num2Bits(SB+1) pins c's bits uniquely, so the prover cannot choose d.
template ProjectionSign(N, WB) {
    signal input x[N];
    signal input q[N];
    signal output bit;

    var SB = bitLength(N * (1 << (WB - 1)) + 1);
    assert(SB + 1 <= 252);

    // s = 2 sum_k x_k q_k - sum_k q_k: one product per key entry.
    signal prod[N];
    var dot = 0;
    var total = 0;
    for (var k = 0; k < N; k++) {
        prod[k] <== x[k] * q[k];
        dot += prod[k];
        total += q[k];
    }
    component c = Num2Bits(SB + 1);
    c.in <== 2 * dot - total - 1 + (1 << SB);
    bit <== c.out[SB];
    // The lower bits only have to exist (the range check).
    for (var i = 0; i < SB; i++) {
        _ <== c.out[i];
    }
}

// Owner bits b_j = bit j of the 160-bit address, j = 0 the most significant (bits.ts). The full
// Num2Bits(160) range-checks owner < 2^160, so an owner of address + 2^160 (same low bits)
// cannot pass, and it binds the public input.
template OwnerBits(T) {
    signal input owner;
    signal output bits[T];
    assert(T >= 1 && T <= 160);
    component n2b = Num2Bits(160);
    n2b.in <== owner;
    for (var j = 0; j < T; j++) {
        bits[j] <== n2b.out[159 - j];
    }
    // The bits past T only have to exist (owner < 2^160).
    for (var j = T; j < 160; j++) {
        _ <== n2b.out[159 - j];
    }
}

// #{j : decoded[j] != expected[j]} <= maxErr, all inputs bits except maxErr, which is
// range-checked to MB bits here (a public input the verifier passes; without the check a
// "negative" maxErr, i.e. a huge field element, would break the comparator's assumptions).
template ErrorsAtMost(T, MB) {
    signal input decoded[T];
    signal input expected[T];
    signal input maxErr;

    assert(bitLength(T) <= MB);
    component maxErrBits = Num2Bits(MB);
    maxErrBits.in <== maxErr;
    _ <== maxErrBits.out;

    // XOR of two bits: a + b - 2ab.
    signal both[T];
    var wrong = 0;
    for (var j = 0; j < T; j++) {
        both[j] <== decoded[j] * expected[j];
        wrong += decoded[j] + expected[j] - 2 * both[j];
    }
    // wrong <= T < 2^MB and maxErr < 2^MB: LessEqThan(MB)'s precondition holds.
    component le = LessEqThan(MB);
    le.in[0] <== wrong;
    le.in[1] <== maxErr;
    le.out === 1;
}
