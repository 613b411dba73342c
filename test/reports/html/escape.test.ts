import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../../src/reports/html/escape.ts';
import { renderReport } from '../../../src/reports/html/render-report.ts';
import { renderCompare } from '../../../src/reports/html/render-compare.ts';
import type { ReportData } from '../../../src/reports/html/report-data.ts';
import { arbitrageView } from '../../../src/reports/html/arb-view.ts';
import { failuresView, keyValueRows } from '../../../src/reports/html/side-files.ts';
import { T0 } from '../fixtures.ts';

const EVIL = `</script><script>alert("x")</script><!-- & 'q' \u2028`;

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('jsonForScript', () => {
  it('when_strings_hold_markup_then_no_angle_bracket_or_ampersand_is_left_and_the_value_round_trips', () => {
    const value = { s: EVIL, list: [EVIL, 1.5, null] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

/** A page whose every text field comes from hostile input. */
function hostileData(): ReportData {
  const summary = {
    scenario: EVIL,
    mode: 'backtest',
    seed: 1,
    quote_currency: '<b>USDT</b>',
    start: '2024-01-01T00:00:00.000Z',
    end: '2024-01-02T00:00:00.000Z',
    warnings: [EVIL, 'plain'],
    risk_state: { state: 'halted', reason: EVIL },
    orders: { filled: 1, [EVIL]: 2 },
    per_venue: { [EVIL]: { fills: 1, fees: { [EVIL]: 1 } } },
    per_symbol: { [EVIL]: { [EVIL]: { fills: 1, buy_volume: 1, sell_volume: 0, notional: 1, fees: {}, realized_pnl: 0 } } },
    balances: { [EVIL]: { [EVIL]: EVIL } },
    refused_signals: { count: 1, by_rule: { [EVIL]: 1 } },
    fees_paid: { [EVIL]: '1' },
  };
  return {
    summary,
    equity: { t: [T0, T0 + 60_000], v: [100, 101], total: 2 },
    drawdown: { t: [T0, T0 + 60_000], v: [0, 0], total: 2 },
    markets: [{ venue: EVIL, symbol: EVIL, prices: { t: [T0], v: [1], total: 1 }, markers: [{ t: T0, price: 1, side: 'buy', n: 1, qty: 1 }], fills: 1 }],
    hasPrices: true,
    failures: failuresView({ faults: [{ ts: T0, kind: EVIL, orders: [EVIL], detected: EVIL, action: { [EVIL]: EVIL }, outcome: EVIL }], invariants: { lost: EVIL } }),
    reconciliation: keyValueRows({ [EVIL]: { [EVIL]: EVIL } }),
    arbitrage: arbitrageView({
      referenceQuote: EVIL,
      policy: EVIL,
      opportunities: { detector: { evaluations: 2, emitted: 1, skipped: { [EVIL]: 1 } }, fromSignals: { seen: 1, taken: 0, skipped: { [EVIL]: 1 } } },
      outcomes: { [EVIL]: 1 },
      pnl: { byVenue: { [EVIL]: 1 }, total: 1, basePrice: { [EVIL]: 1 } },
      residual: { byAsset: { [EVIL]: 1 } },
      inventory: {
        initial: { [EVIL]: { [EVIL]: EVIL } },
        transfers: [{ asset: EVIL, from: EVIL, to: EVIL, amount: EVIL }],
        conversions: [{ venue: EVIL, asset: EVIL, amount: EVIL }],
      },
      premium: [{ a: EVIL, b: EVIL, points: [[T0, 1]] }],
      trades: [
        { id: EVIL, signalId: EVIL, detected: EVIL, buy: { venue: EVIL, symbol: EVIL }, sell: { venue: EVIL, symbol: EVIL }, outcome: EVIL, note: EVIL, residual: { asset: EVIL, venue: EVIL } },
      ],
    }),
  };
}

describe('pages built from hostile text', () => {
  it.each([
    ['report', () => renderReport(hostileData())],
    ['comparison', () => renderCompare({ label: EVIL, data: hostileData() }, { label: 'b', data: hostileData() })],
  ])('when_every_field_holds_markup_then_the_%s_page_holds_only_its_own_three_scripts', (_name, render) => {
    const html = render();
    expect(html.match(/<script/g)?.length, 'the library, the data and the page script').toBe(3);
    expect(html).not.toContain('alert("x")</script>');
    expect(html).not.toContain(`<b>USDT</b>`);
    expect(html).not.toContain('<!-- &');
    expect(html, 'the text is there, escaped').toContain('&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)');
  });
});
