pragma circom 2.1.0;

// Test instance matching test/vectors/watermark.json "small-16x32".
include "../lib/watermark_ownership.circom";

component main {public [wmCommit, keyCommit, owner, maxErr]} = WatermarkOwnership(16, 32, 16);
