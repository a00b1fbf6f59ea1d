import { describe, expect, it } from 'vitest';
import { expWad, lnWad, powWad } from '../../../src/lib/protocol/exact.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';

// Reference floors computed independently with mpmath at 150 significant digits.
const EXP_CASES: [bigint, bigint][] = [
  [1n, 1000000000000000001n],
  [-1n, 999999999999999999n],
  [WAD, 2718281828459045235n],
  [-WAD, 367879441171442321n],
  [20n * WAD, 485165195409790277969106830n],
  [-20n * WAD, 2061153622n],
  [50n * WAD, 5184705528587072464087453322933485384827n],
  [49999999999999999999n, 5184705528587072458902747794346412923332n],
  [100n * WAD, 26881171418161354484126255515800135873611118773741922415191608n],
  [135n * WAD, 42633899483147210448936866880765989356468745853255281087440011736227864297277n],
  [123456789n, 1000000000123456789n],
  [-123456789n, 999999999876543211n],
  [700000000000000000n, 2013752707470476521n],
  [-41n * WAD, 1n],
  [-41446531673892822312n, 1n],
  [-41446531673892822313n, 0n],
  [12378517868747076664n, 237641346537976005998474n],
  [-29992378303300032754n, 94292n],
  [120723789212197007155n, 26895244040298484474492991255212856484475090343126681615247951720534285n],
  [130766466547650193425n, 618236781690583779398201240808176725292888196477900194243753788830215970759n],
  [-22861583018947086900n, 117853001n],
  [-15839341162975762598n, 132148286411n],
  [107247312363658155812n, 37749913297072321959869309084756244634724645980801965671100586424n],
];

const POW_CASES: [bigint, bigint, bigint][] = [
  [2n * WAD, WAD / 2n, 1414213562373095048n],
  [3n * WAD, 7n * 10n ** 17n, 2157669279974593099n],
  [10n ** 24n, 3n * 10n ** 17n, 63095734448019324943n],
  [2n * WAD, 10n ** 17n, 1071773462536293164n],
  [WAD + 1n, WAD / 2n, WAD],
  [WAD / 2n, WAD / 2n, 707106781186547524n],
  [79228162514264337593543950335n, 7n * 10n ** 17n, 42580985503096351074523024n],
  [3n * WAD, WAD - 1n, 2999999999999999996n],
  [123456789000000000000000001n, 1n, 1000000000000000018n],
  [65509974453787599686018877990n, 142733937612001999n, 34982766389501561931n],
  [49963332614769528398641369181n, 672149667120641717n, 15527265399301290367143775n],
  [45722806133727998124320951721n, 457341456066415349n, 75044815038976569105836n],
  [17515906924511541958060401308n, 641790928812300208n, 3750957479475169348938727n],
  [22945211764995151173291382475n, 166314784907375170n, 52861109362125805871n],
  [14884676127208399744605778793n, 112329807459873283n, 13889987565313438449n],
];

const LN_CASES: [bigint, bigint][] = [
  [2n * WAD, 693147180559945309n],
  [WAD + 1n, 0n],
  [WAD - 1n, -2n],
  [1n, -41446531673892822313n],
  [WAD / 2n, -693147180559945310n],
  [10n ** 36n, 41446531673892822312n],
  [79228162514264337593543950335n, 25095597659861927391n],
];

describe('expWad', () => {
  it.each(EXP_CASES)('floor(1e18 * e^(%s / 1e18)) to the last wei', (a, expected) => {
    expect(expWad(a)).toBe(expected);
  });

  it('is exactly 1e18 at 0 and 0 far below the 1-wei cut-off', () => {
    expect(expWad(0n)).toBe(WAD);
    expect(expWad(-42n * WAD)).toBe(0n);
    expect(expWad(-(10n ** 40n))).toBe(0n);
  });

  it('rejects exponents above 135e18', () => {
    expect(() => expWad(135n * WAD + 1n)).toThrow(RangeError);
  });

  it('is monotone and agrees with Math.exp to float precision on a grid', () => {
    let previous = 0n;
    for (let a = -40n * WAD; a <= 60n * WAD; a += 987654321987654321n) {
      const value = expWad(a);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
      const float = Math.exp(Number(a) / 1e18) * 1e18;
      if (float > 1e15) expect(Math.abs(Number(value) / float - 1)).toBeLessThan(1e-13);
    }
  });
});

describe('powWad', () => {
  it.each(POW_CASES)('floor(1e18 * (%s/1e18)^(%s/1e18)) to the last wei', (x, a, expected) => {
    expect(powWad(x, a)).toBe(expected);
  });

  it('is exact at the identities the reward math relies on', () => {
    for (const x of [1n, 7n, WAD, 3n * WAD + 1n, 2n ** 96n - 1n]) {
      expect(powWad(x, 0n)).toBe(WAD);
      expect(powWad(x, WAD)).toBe(x);
    }
    expect(powWad(WAD, 123n)).toBe(WAD);
  });

  it('returns exact rational powers without rounding them down', () => {
    expect(powWad(4n * WAD, WAD / 2n)).toBe(2n * WAD);
    expect(powWad(WAD / 4n, WAD / 2n)).toBe(WAD / 2n);
    expect(powWad(10n ** 36n, WAD / 2n)).toBe(10n ** 27n);
    expect(powWad(32n * WAD, 2n * 10n ** 17n)).toBe(2n * WAD);
    expect(powWad(1024n * WAD, 7n * 10n ** 17n)).toBe(128n * WAD);
    expect(powWad(1n, WAD / 2n)).toBe(10n ** 9n);
  });

  it('rejects a base <= 0 or an exponent outside [0, 1e18]', () => {
    expect(() => powWad(0n, WAD / 2n)).toThrow(RangeError);
    expect(() => powWad(WAD, -1n)).toThrow(RangeError);
    expect(() => powWad(WAD, WAD + 1n)).toThrow(RangeError);
  });
});

describe('lnWad', () => {
  it.each(LN_CASES)('floor(1e18 * ln(%s / 1e18)) to the last wei', (x, expected) => {
    expect(lnWad(x)).toBe(expected);
  });

  it('is 0 at 1e18 and rejects non-positive input', () => {
    expect(lnWad(WAD)).toBe(0n);
    expect(() => lnWad(0n)).toThrow(RangeError);
  });
});
