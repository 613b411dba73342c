/**
 * Exact positive rationals of bigints, for the few decisions that must not depend on float rounding
 * (see edge.ts). A decimal number converts exactly through its shortest round-trip form (`toAtto`), so
 * `ratioOf(1391.5)` is exactly 13915/10, not the double nearest to it.
 */
import { ATTO_PER_UNIT, toAtto } from '../domain/money.ts';

export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

export const ONE: Ratio = Object.freeze({ num: 1n, den: 1n });

/** The decimal `x` (> 0) as a ratio. */
export function ratioOf(x: number): Ratio {
  return { num: toAtto(x), den: ATTO_PER_UNIT };
}

/** 1 / the decimal `x` (> 0). */
export function inverseOf(x: number): Ratio {
  return { num: ATTO_PER_UNIT, den: toAtto(x) };
}

/** (a + b) / 2 of two decimals: a mid price. */
export function midOf(a: number, b: number): Ratio {
  return { num: toAtto(a) + toAtto(b), den: 2n * ATTO_PER_UNIT };
}

/** 1 / ((a + b) / 2) of two decimals. */
export function inverseMidOf(a: number, b: number): Ratio {
  return { num: 2n * ATTO_PER_UNIT, den: toAtto(a) + toAtto(b) };
}
