/**
 * The scenario's `arbitrage:` block: validated on load, every error naming the file and the field.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFromInputs } from '../../src/engine/backtest-command.ts';
import { quietIO } from '../engine/helpers.ts';
import { synthData, tmpDir } from './exec-helpers.ts';

const dir = tmpDir('tf-arb-config-');
const files = synthData(dir, { seconds: 2 });

function plan(arbitrage: Record<string, unknown>) {
  const file = path.join(dir, `sc-${Math.random().toString(36).slice(2, 8)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      markets: [
        { venue: 'binance', symbol: 'BTC/USDT', file: files.binance },
        { venue: 'upbit', symbol: 'BTC/KRW', file: files.upbit },
      ],
      arbitrage: {
        pairs: [{ a: 'binance:BTC/USDT', b: 'upbit:BTC/KRW' }],
        conversions: [{ file: files.rate, base: 'USDT', quote: 'KRW' }],
        threshold_bps: 10,
        size: 0.01,
        max_book_age_ms: 1000,
        ...arbitrage,
      },
    }),
  );
  return () => planFromInputs(file, {}, quietIO());
}

describe('arbitrage scenario block', () => {
  it('when it is valid then the plan carries it resolved, with defaults', () => {
    const p = plan({})();
    expect(p.arbitrage).toMatchObject({
      referenceQuote: 'USDT',
      pairs: [{ a: { venue: 'binance', symbol: 'BTC/USDT' }, b: { venue: 'upbit', symbol: 'BTC/KRW' } }],
      conversions: [{ kind: 'file', file: files.rate, base: 'USDT', quote: 'KRW' }],
      policy: 'hedge',
      sequential: false,
      detect: true,
      maxRateAgeMs: 1000,
      rateMode: 'executable',
    });
  });

  it.each([
    [{ pairs: [{ a: 'binance:BTC/USDT', b: 'upbit:BTC/USDT' }] }, /arbitrage\.pairs\.0\.b.*upbit:BTC\/USDT is not one of the run's markets/],
    [{ pairs: [{ a: 'binance:BTC/USDT', b: 'binance:BTC/USDT' }] }, /arbitrage\.pairs\.0.*both markets are on binance/],
    [{ conversions: [] }, /arbitrage\.pairs\.0.*quoted in KRW, not the reference quote USDT: add a KRW↔USDT conversion/],
    [{ conversions: [{ file: 'missing.csv', base: 'USDT', quote: 'KRW' }] }, /arbitrage\.conversions\.0\.file.*file not found/],
    [{ policy: 'flatten' }, /arbitrage\.policy/],
    [{ treshold_bps: 5 }, /arbitrage.*treshold_bps/],
    [{ pairs: [{ a: 'BTC/USDT', b: 'upbit:BTC/KRW' }] }, /arbitrage\.pairs\.0\.a.*VENUE:BASE\/QUOTE/],
  ])('when %j then loading fails naming the field', (over, message) => {
    expect(plan(over)).toThrow(message);
  });
});
