import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAtto, mulRate, notionalAtto, parseAtto, roundHalfAwayDiv, toAtto } from '../../src/domain/money.ts';

describe('money', () => {
  it('when a decimal string is parsed then it is exact in atto', () => {
    expect(parseAtto('0.1')).toBe(100_000_000_000_000_000n);
    expect(parseAtto('-12.5')).toBe(-12_500_000_000_000_000_000n);
    expect(parseAtto('1e-8')).toBe(10_000_000_000n);
    expect(parseAtto('159523000')).toBe(159_523_000n * 10n ** 18n);
  });

  it('when the text is not a number then parsing throws', () => {
    expect(() => parseAtto('abc')).toThrow(/not a decimal/);
    expect(() => parseAtto('')).toThrow(/not a decimal/);
    expect(() => parseAtto('.')).toThrow(/not a decimal/);
  });

  it('when a number has float noise then toAtto uses its shortest decimal form', () => {
    expect(toAtto(0.1 + 0.2)).toBe(parseAtto('0.30000000000000004'));
    expect(toAtto(0.3)).toBe(parseAtto('0.3'));
    expect(toAtto(1e-12)).toBe(1_000_000n);
    expect(() => toAtto(Number.NaN)).toThrow(/finite/);
  });

  it('when formatting then trailing zeros go and the sign stays', () => {
    expect(formatAtto(parseAtto('-0.50'))).toBe('-0.5');
    expect(formatAtto(parseAtto('12'))).toBe('12');
    expect(formatAtto(0n)).toBe('0');
    expect(formatAtto(parseAtto('1.23456'), 2)).toBe('1.23');
  });

  it('when price × quantity is computed then it is exact where floats are not', () => {
    // 0.1 × 3 is 0.30000000000000004 in floats.
    expect(formatAtto(notionalAtto(0.1, 3))).toBe('0.3');
    expect(formatAtto(notionalAtto(105234.56, 0.00123))).toBe('129.4385088');
  });

  it('when a fee rate applies then the result rounds half away from zero', () => {
    expect(formatAtto(mulRate(parseAtto('129.4385088'), 0.001))).toBe('0.1294385088');
    expect(roundHalfAwayDiv(5n, 2n)).toBe(3n);
    expect(roundHalfAwayDiv(-5n, 2n)).toBe(-3n);
    expect(roundHalfAwayDiv(4n, 3n)).toBe(1n);
  });

  it('property: format then parse is the identity', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (v) => parseAtto(formatAtto(v)) === v));
  });

  it('property: toAtto of a decimal with ≤ 8 places equals parsing its shortest text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.integer({ min: 0, max: 8 }), (units, d) => {
        const value = Number((units / 10 ** d).toFixed(d));
        return toAtto(value) === parseAtto(String(value));
      }),
    );
  });
});

describe('attoToNumber', () => {
  it('when an amount has few significant digits then the nearest double comes back', async () => {
    const { attoToNumber } = await import('../../src/domain/money.ts');
    for (const t of ['100000', '5550', '0.1', '-0.3', '159523000', '0.00000001', '17489.944854169', '-12345.678']) {
      expect(attoToNumber(parseAtto(t)), t).toBe(Number(t));
    }
  });

  it('when formatting fast then the text is the one of the long-hand definition, for any amount and rounding', () => {
    // The definition: integer part, then the 18-digit fraction padded, trailing zeros dropped.
    const reference = (value: bigint, maxDecimals = 18): string => {
      let v = value;
      if (maxDecimals < 18) {
        const d = 10n ** BigInt(18 - maxDecimals);
        v = roundHalfAwayDiv(v, d) * d;
      }
      const neg = v < 0n;
      const abs = neg ? -v : v;
      const frac = (abs % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
      const body = frac ? `${abs / 10n ** 18n}.${frac}` : `${abs / 10n ** 18n}`;
      return neg && body !== '0' ? `-${body}` : body;
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n })),
        fc.integer({ min: 0, max: 18 }),
        (v, d) => formatAtto(v) === reference(v) && formatAtto(v, d) === reference(v, d),
      ),
      { numRuns: 5000 },
    );
  });
});
