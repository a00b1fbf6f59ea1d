pragma circom 2.1.0;

// Compile-time helpers shared by the watermark templates (docs/zk.md section 2).

// Number of bits needed to write x >= 0 (0 for x = 0).
function bitLength(x) {
    var n = 0;
    while (x > 0) {
        n++;
        x \= 2;
    }
    return n;
}

// Values per weight limb, K = floor(253 / WB), so a limb stays below 2^253 < p.
function valuesPerLimb(WB) {
    return 253 \ WB;
}

// ceil(a / b) for a >= 0, b > 0.
function ceilDiv(a, b) {
    return (a + b - 1) \ b;
}
