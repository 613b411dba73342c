/** Orders and fills for the journal tests (no vitest import: the crash writer child uses them too). */
import type { OrderFilled, SubmitOrder } from '../../src/domain/types.ts';

export const intent = (clientId: string, extra: Partial<SubmitOrder> = {}): SubmitOrder => ({
  clientId, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 0.5, price: 30_000.1, ts: 1_000,
  signalId: `sig-${clientId}`, ...extra,
});

export const fill = (clientId: string, tradeId: string, extra: Partial<OrderFilled> = {}): OrderFilled => ({
  kind: 'OrderFilled', clientId, venue: 'binance', symbol: 'BTC/USDT', ts: 2_000, exchangeId: 'ex-1', tradeId,
  side: 'buy', price: 30_000.1, quantity: 0.25, notional: 7_500_025_000_000_000_000_000n, fee: 7_500_025_000_000_000_000n,
  feeAsset: 'USDT', liquidity: 'maker', ...extra,
});
