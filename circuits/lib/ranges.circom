pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";

// Every x[i] is 0 or 1: one constraint each. Without it a key bit of 2 could stand in for a 1
// in the next position and leave the 128-bit limb (and so keyCommit) unchanged.
template AssertBits(n) {
    signal input in[n];
    for (var i = 0; i < n; i++) {
        in[i] * (in[i] - 1) === 0;
    }
}

// Signed WB-bit values: u[i] = in[i] + 2^(WB-1) is decomposed into WB bits, which proves
// -2^(WB-1) <= in[i] < 2^(WB-1) as integers (2^WB < p, so the decomposition is unique). Without
// it u[i] = 2^WB would alias with one unit in the next packed position of the weight limb.
template SignedRange(n, WB) {
    signal input in[n];
    signal output offset[n];
    component bits[n];
    for (var i = 0; i < n; i++) {
        bits[i] = Num2Bits(WB);
        bits[i].in <== in[i] + (1 << (WB - 1));
        offset[i] <== bits[i].in;
        // Only the decomposition's existence matters, not the bits.
        _ <== bits[i].out;
    }
}
