/**
 * The Arbitrage section of report.html and of the comparison page, from a small hand-made
 * arbitrage.json (arb-fixture.ts) in a minimal run folder: the tables hold the file's figures, hostile
 * text is escaped, long inputs are cut down, and a run without the file has no section.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDir, renderCompare, renderReport } from '../../../src/reports/html/index.ts';
import { tmpDir } from '../../engine/helpers.ts';
import { ARB_T0, EVIL_SIGNAL, arbFixture, arbTrade, embeddedCharts, htmlSection, htmlTable, tableMap, writeRunDir } from './arb-fixture.ts';

let root: string;
let n = 0;
beforeAll(() => {
  root = tmpDir('tf-arb-html-');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh run folder around `arbitrage` and its page. */
async function pageOf(arbitrage?: Parameters<typeof writeRunDir>[1], maxPoints?: number): Promise<string> {
  const dir = writeRunDir(path.join(root, `run-${n++}`), arbitrage);
  return renderReport(await readRunDir(dir, maxPoints === undefined ? {} : { maxPoints }));
}

function cardValue(html: string, label: string): string | undefined {
  return new RegExp(`<div class="label">${label}</div><div class="value">(.*?)</div>`).exec(html)?.[1];
}

describe('the Arbitrage section of report.html', () => {
  it('when_the_run_has_arbitrage_json_then_opportunities_skips_and_outcomes_hold_its_counts', async () => {
    const html = htmlSection(await pageOf(arbFixture()), 'arbitrage')!;
    expect(html).toBeDefined();
    expect(htmlTable(html, 'arb-opportunities')).toEqual({
      head: ['source', 'seen', 'taken', 'skipped'],
      rows: [
        ['detector evaluations', '3,200', '45', '3,155'],
        ['detector → executor', '32', '4', '28'],
        ['signal rows → executor', '2', '1', '1'],
      ],
    });
    // Reasons with a count only (size_below_minimum is 0), the detector's largest first.
    expect(htmlTable(html, 'arb-skipped').rows).toEqual([
      ['below_threshold', '2,911', '16', '0'],
      ['stale_rate', '184', '0', '0'],
      ['no_rate', '46', '0', '0'],
      ['stale_book', '8', '0', '0'],
      ['no_inventory', '4', '12', '0'],
      ['no_book', '2', '0', '0'],
      ['stale_signal', '0', '0', '1'],
    ]);
    expect(htmlTable(html, 'arb-outcomes').rows, 'the five outcomes always, in flight because present').toEqual([
      ['complete', '1'],
      ['hedged', '1'],
      ['unwound', '0'],
      ['reported', '0'],
      ['nothing_filled', '1'],
      ['in_flight', '1'],
    ]);
    expect(cardValue(html, 'Arbitrages taken')).toBe('5');
    expect(cardValue(html, 'Recovered'), 'arb-4 was finished after a crash').toBe('1');
    expect(cardValue(html, 'Residual')).toBe('0.00123 BTC');
    expect(html).toContain('policy hedge · legs at once · threshold 10 bps · reference quote USDT');
  });

  it('when_the_run_has_arbitrage_json_then_pnl_per_venue_inventory_drift_and_transfers_are_shown', async () => {
    const html = htmlSection(await pageOf(arbFixture()), 'arbitrage')!;
    expect(html).toContain('<h3>P&amp;L per venue (USDT)</h3>');
    expect([...tableMap(html, 'arb-pnl')]).toEqual([
      ['binance', '389.38'],
      ['upbit', '−177.92'],
      ['total', '211.47'],
    ]);
    expect(cardValue(html, 'Arbitrage P&amp;L')).toBe('211.47 USDT');
    expect(html).toContain('BTC at 118,134.14 USDT');
    expect(htmlTable(html, 'arb-inventory').rows).toEqual([
      ['binance', 'BTC', '0.2', '0.14236', '-0.05764'],
      // Shortened to 8 decimals for the eye, as the page's other amounts.
      ['binance', 'USDT', '20000', '27198.63356071', '7198.63356071'],
      ['upbit', 'BTC', '0.2', '0.25764', '0.05764'],
      ['upbit', 'KRW', '28000000', '18309168.25889604', '-9690831.74110396'],
    ]);
    expect(htmlTable(html, 'arb-transfers').rows).toEqual([['BTC', 'upbit', 'binance', '0.05764']]);
    expect(htmlTable(html, 'arb-conversions').rows).toEqual([
      ['upbit', 'KRW', '-9690831.74110396', '−7,073.47'],
      ['binance', 'USDT', '7198.63356071', '7,198.63'],
    ]);
  });

  it('when_the_run_has_arbitrage_json_then_each_trade_is_a_row_with_expected_and_realized_edge', async () => {
    const html = await pageOf(arbFixture());
    const { head, rows } = htmlTable(html, 'arb-trades');
    expect(head).toEqual(['id', 'detected', 'buy → sell', 'size', 'expected net bps', 'realized net bps', 'buy slippage bps', 'sell slippage bps', 'outcome', 'residual', 'P&L USDT']);
    expect(rows.map((r) => r[0])).toEqual(['arb-1', 'arb-2', 'arb-3', 'arb-4 · signal <script>alert("sig")</script> · recovered', 'arb-5']);
    expect(rows[1]).toEqual([
      'arb-2',
      '2025-08-01T00:10:00.000Z',
      'binance BTC/USDT → upbit BTC/KRW',
      '0.05',
      '15.25',
      '−3.50',
      '1.69',
      '3.05',
      'hedged (sell leg partial; hedged on binance)',
      '0.00123 BTC on upbit',
      '−1.25',
    ]);
    expect(rows[2]!.slice(5, 9), 'nothing filled: no realized edge or slippage').toEqual(['—', '—', '—', 'nothing_filled']);
    expect(html).toContain('<h3>Trades (5)</h3>');
  });

  it('when_the_file_has_a_premium_series_then_the_page_embeds_it_as_the_premium_chart', async () => {
    const html = await pageOf(arbFixture());
    expect(htmlSection(html, 'arbitrage')).toContain('<div class="chart" id="chart-premium"');
    const premium = embeddedCharts(html).find((c) => c.id === 'premium')!;
    expect(premium.series).toHaveLength(1);
    expect(premium.series[0]!.name).toBe('upbit:BTC/KRW over binance:BTC/USDT');
    expect(premium.series[0]!.t).toEqual([0, 1, 2, 3, 4, 5].map((i) => ARB_T0 + i * 300_000));
    expect(premium.series[0]!.v).toEqual([3, -4.5, 10, 31.25, 22, 13.25]);
    expect(html).toContain('6 points of 6 samples; min −4.50, mean 12.50, max 31.25 bps');
  });

  it('when_a_signal_id_holds_markup_then_it_is_escaped_and_the_page_keeps_its_three_scripts', async () => {
    const html = await pageOf(arbFixture());
    expect(html.match(/<script/g)?.length).toBe(3);
    expect(html).not.toContain(EVIL_SIGNAL);
    expect(html).toContain('signal &lt;script&gt;alert(&quot;sig&quot;)&lt;/script&gt;');
  });

  it('when_there_is_no_arbitrage_json_then_the_page_has_no_arbitrage_section_or_premium_chart', async () => {
    const html = await pageOf();
    expect(html).toContain('<section id="equity">');
    expect(htmlSection(html, 'arbitrage')).toBeUndefined();
    expect(html).not.toContain('chart-premium');
    expect(embeddedCharts(html).map((c) => c.id)).toEqual(['equity', 'drawdown']);
  });

  it('when_there_are_more_trades_than_the_cap_then_the_first_500_are_listed_and_the_rest_counted', async () => {
    const trades = Array.from({ length: 520 }, (_, i) => arbTrade({ id: `arb-${i + 1}`, outcome: 'complete', pnl: 1, ...(i === 510 ? { recovered: true as const } : {}) }));
    const html = await pageOf(arbFixture(trades));
    const { rows } = htmlTable(html, 'arb-trades');
    expect(rows).toHaveLength(500);
    expect(rows[499]![0]).toBe('arb-500');
    expect(html).toContain('The first 500 of 520 trades; 20 more are in arbitrage.json.');
    expect(html).toContain('<h3>Trades (520)</h3>');
    expect(cardValue(html, 'Recovered'), 'counted over every trade, listed or not').toBe('1');
  });

  it('when_the_premium_is_longer_than_the_limit_then_it_is_cut_down_and_keeps_its_extremes', async () => {
    const arb = arbFixture();
    const points = Array.from({ length: 20_000 }, (_, i): [number, number] => [ARB_T0 + i * 1000, Math.sin(i / 50) * 10]);
    points[12_345]![1] = 250;
    points[777]![1] = -90;
    const html = await pageOf({ ...arb, premium: [{ ...arb.premium[0]!, samples: 20_000, points }] }, 600);
    const s = embeddedCharts(html).find((c) => c.id === 'premium')!.series[0]!;
    expect(s.t.length).toBeLessThanOrEqual(600);
    expect(s.t.length).toBeGreaterThan(100);
    expect(Math.max(...s.v)).toBe(250);
    expect(Math.min(...s.v)).toBe(-90);
    expect(s.t.every((t, i) => i === 0 || t > s.t[i - 1]!), 'times ascending').toBe(true);
    expect(html).toMatch(/\d+ of 20000 points \(each stretch keeps its lowest and highest point\) of 20,000 samples/);
  });

  it('when_an_older_file_has_no_recovered_flag_and_no_unfinished_outcome_then_none_is_shown', async () => {
    const old = arbFixture([arbTrade({ id: 'arb-1', outcome: 'complete', pnl: 2 })]);
    const html = await pageOf({ ...old, outcomes: { complete: 1 } });
    expect(cardValue(html, 'Recovered')).toBe('0');
    expect(htmlTable(html, 'arb-outcomes').rows.map((r) => r[0])).toEqual(['complete', 'hedged', 'unwound', 'reported', 'nothing_filled']);
  });

  it('when_arbitrage_json_is_not_json_then_the_section_says_so_and_the_page_still_renders', async () => {
    const html = await pageOf('{ "trades": [');
    expect(htmlSection(html, 'arbitrage')).toMatch(/<p class="bad-text">arbitrage\.json: not valid JSON: [^<]+<\/p>/);
    expect(html).toContain('<section id="equity">');
    const wrong = await pageOf(JSON.stringify({ trades: 'nope' }));
    expect(htmlSection(wrong, 'arbitrage')).toContain('arbitrage.json: expected a list');
  });

  it('when_the_same_folder_is_rendered_twice_then_the_bytes_are_the_same', async () => {
    const dir = writeRunDir(path.join(root, 'twice'), arbFixture());
    expect(renderReport(await readRunDir(dir))).toBe(renderReport(await readRunDir(dir)));
  });
});

describe('the Arbitrage section of the comparison page', () => {
  it('when_both_runs_have_arbitrage_json_then_taken_outcomes_and_pnl_are_side_by_side', async () => {
    const a = await readRunDir(writeRunDir(path.join(root, 'cmp-a'), arbFixture()));
    const other = arbFixture([arbTrade({ id: 'arb-1', outcome: 'complete', pnl: 2 }), arbTrade({ id: 'arb-2', outcome: 'unwound', pnl: -1, recovered: true })]);
    const b = await readRunDir(
      writeRunDir(path.join(root, 'cmp-b'), {
        ...other,
        opportunities: { ...other.opportunities, fromDetector: { seen: 10, taken: 2, skipped: { below_threshold: 8 } }, fromSignals: { seen: 0, taken: 0, skipped: {} } },
        outcomes: { complete: 1, unwound: 1 },
        pnl: { ...other.pnl, total: 1 },
      }),
    );
    const html = htmlSection(renderCompare({ label: 'a', data: a }, { label: 'b', data: b }), 'arbitrage')!;
    const { head, rows } = htmlTable(html, 'arb-compare');
    expect(head).toEqual(['figure', 'A', 'B', 'B − A']);
    const byLabel = new Map(rows.map((r) => [r[0]!, r.slice(1)]));
    expect(byLabel.get('opportunities seen')).toEqual(['34', '10', '−24']);
    expect(byLabel.get('arbitrages taken')).toEqual(['5', '2', '−3']);
    expect(byLabel.get('outcome complete')).toEqual(['1', '1', '0']);
    expect(byLabel.get('outcome unwound')).toEqual(['0', '1', '+1']);
    expect(byLabel.get('outcome in_flight'), 'present in A only').toEqual(['1', '0', '−1']);
    expect(byLabel.get('recovered after a crash')).toEqual(['1', '1', '0']);
    expect(byLabel.get('total P&L')).toEqual(['211.47', '1.00', '−210.47']);
    expect(html).toMatch(/<td>total P&amp;L<\/td>.*<td class="num bad-text">−210\.47<\/td>/);
  });

  it('when_only_one_run_has_arbitrage_json_then_the_comparison_has_no_arbitrage_section', async () => {
    const a = await readRunDir(writeRunDir(path.join(root, 'one-a'), arbFixture()));
    const b = await readRunDir(writeRunDir(path.join(root, 'one-b')));
    const html = renderCompare({ label: 'a', data: a }, { label: 'b', data: b });
    expect(html).toContain('<section id="figures">');
    expect(htmlSection(html, 'arbitrage')).toBeUndefined();
  });
});
