pragma circom 2.1.0;

include "ranges.circom";
include "commitments.circom";
include "decoding.circom";
include "params.circom";

// WatermarkOwnership(T, N, WB) (SPEC section 7, docs/zk.md): the vector committed in wmCommit
// decodes the owner's first T address bits under the key committed in keyCommit, with at most
// maxErr wrong bits. The key and the vector stay private.
//
// Public inputs, in this order (the verifier's pubSignals; there are no outputs):
//   0 wmCommit   Poseidon commitment of the quantized vector (sealed with the artifact)
//   1 keyCommit  Poseidon2(H_X, keySalt) (recorded when the trainer joined the task)
//   2 owner      the owner's address as a field element, < 2^160
//   3 maxErr     the task's tolerance, < 2^8
// Private inputs: q[N] (signed WB-bit quantized values), key[T][N] (bits, 1 = +1), keySalt (a
// field element; every value is a valid salt, so it needs no range check).
template WatermarkOwnership(T, N, WB) {
    signal input wmCommit;
    signal input keyCommit;
    signal input owner;
    signal input maxErr;

    signal input q[N];
    signal input key[T][N];
    signal input keySalt;

    assert(T >= 1 && T <= 160);
    assert(N >= 1);
    assert(WB >= 2 && WB <= 32);
    assert(T * N <= 16 * 16 * 128);

    // Range checks of every private value except the salt (see above).
    component qRange = SignedRange(N, WB);
    qRange.in <== q;
    component keyIsBits = AssertBits(T * N);
    for (var j = 0; j < T; j++) {
        for (var k = 0; k < N; k++) {
            keyIsBits.in[j * N + k] <== key[j][k];
        }
    }

    // Commitments equal the public ones.
    component keyC = KeyCommitment(T * N);
    for (var j = 0; j < T; j++) {
        for (var k = 0; k < N; k++) {
            keyC.bits[j * N + k] <== key[j][k];
        }
    }
    keyC.salt <== keySalt;
    keyC.out === keyCommit;

    component wmC = WeightCommitment(N, WB);
    wmC.offset <== qRange.offset;
    wmC.out === wmCommit;

    // Decoding against the owner's bits.
    component ownerBits = OwnerBits(T);
    ownerBits.owner <== owner;

    component sign[T];
    component errors = ErrorsAtMost(T, 8);
    for (var j = 0; j < T; j++) {
        sign[j] = ProjectionSign(N, WB);
        sign[j].x <== key[j];
        sign[j].q <== q;
        errors.decoded[j] <== sign[j].bit;
        errors.expected[j] <== ownerBits.bits[j];
    }
    errors.maxErr <== maxErr;
}
