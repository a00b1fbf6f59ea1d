pragma circom 2.1.0;

// Test instance for the edge cases of the packing: T*N = 85 bits (one partial key limb, G = 1),
// WB = 8 so K = 31 and E = 1 (Poseidon1 for wmCommit), N not a multiple of anything.
include "../lib/watermark_ownership.circom";

component main {public [wmCommit, keyCommit, owner, maxErr]} = WatermarkOwnership(5, 17, 8);
