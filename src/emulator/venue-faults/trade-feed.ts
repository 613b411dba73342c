/**
 * `drop-event` and `repeat-event`: what trade listings (Binance `myTrades`, the `trades` of an Upbit
 * order) show of a marked order's fills. Dropped: its fills are left out while the order itself
 * already counts them (executedQty / executed_volume), as when a venue's trade feed lags its order
 * state — a client must turn cumulative quantities into increments, not wait for the trade. Repeated:
 * each of its fills is listed twice with the same trade id, as a replayed event — a client must
 * dedupe by trade id. Lasts for the next `lookups` listings that include the order's fills, and/or
 * for `ms` after each fill.
 */
import type { FillRecord, OrderRecord } from '../order-ledger.ts';

export type TradeFault = 'drop-event' | 'repeat-event';

interface Mark {
  readonly kind: TradeFault;
  left: number;
  readonly ms: number;
}

export interface TradeRow {
  readonly order: OrderRecord;
  readonly fill: FillRecord;
}

/** One listing's alteration of a marked order, for the fault log. */
export interface Altered {
  readonly order: OrderRecord;
  readonly kind: TradeFault;
  readonly trades: number;
}

export class TradeFeed {
  private readonly marks = new Map<OrderRecord, Mark>();

  mark(order: OrderRecord, kind: TradeFault, lookups: number | undefined, ms: number | undefined): void {
    this.marks.set(order, { kind, left: lookups ?? 0, ms: ms ?? 0 });
  }

  /**
   * `rows` as the listing shows them now, with the orders it altered. A listing that shows a marked
   * order's fills uses up one of its `lookups`.
   */
  view<T extends TradeRow>(rows: readonly T[], now: number): { rows: T[]; altered: Altered[] } {
    if (this.marks.size === 0) return { rows: [...rows], altered: [] };
    const out: T[] = [];
    const touched = new Map<OrderRecord, Altered>();
    for (const row of rows) {
      const mark = this.marks.get(row.order);
      const on = mark !== undefined && (mark.left > 0 || now < row.fill.ts + mark.ms);
      if (!on) {
        out.push(row);
        continue;
      }
      if (mark.kind === 'repeat-event') out.push(row, row);
      const a = touched.get(row.order);
      touched.set(row.order, { order: row.order, kind: mark.kind, trades: (a?.trades ?? 0) + 1 });
    }
    for (const order of touched.keys()) {
      const mark = this.marks.get(order)!;
      if (mark.left > 0) mark.left -= 1;
      if (mark.left === 0 && mark.ms === 0) this.marks.delete(order);
    }
    return { rows: out, altered: [...touched.values()] };
  }
}
