pragma circom 2.1.0;

// Production instance (SPEC section 6 defaults): T = 64 bits, N = 128 values, WB = 16.
include "lib/watermark_ownership.circom";

component main {public [wmCommit, keyCommit, owner, maxErr]} = WatermarkOwnership(64, 128, 16);
