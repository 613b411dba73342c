/**
 * report.html from real runs: what the recorder writes when a backtest publishes, what `tradeflow
 * report` rebuilds from the files, the comparison page, and the errors for folders that are not runs.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli.ts';
import { DataError } from '../../../src/core/errors.ts';
import { readRunDir, rebuildReport, renderReport, writeComparison } from '../../../src/reports/html/index.ts';
import { REPO, runBacktestCli, tmpDir } from '../../engine/helpers.ts';

const SCENARIO = path.join(REPO, 'scenarios/quickstart.yaml');

let root: string;
let runA: string;
let runB: string;

beforeAll(async () => {
  root = tmpDir('tf-html-');
  runA = path.join(root, 'a');
  runB = path.join(root, 'b');
  await runBacktestCli(SCENARIO, { out: runA });
  await runBacktestCli(SCENARIO, { out: runB, 'fee-bps': 25 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `main` with stdout and stderr captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('report.html of a backtest', () => {
  it('when_a_run_publishes_then_its_folder_holds_report_html_and_prices_csv', () => {
    const html = readFileSync(path.join(runA, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('window.LightweightCharts');
    expect(html, 'no arbitrage.json, no arbitrage section').not.toContain('<section id="arbitrage">');
    const prices = readFileSync(path.join(runA, 'prices.csv'), 'utf8').split('\n');
    expect(prices[0]).toBe('ts,venue,symbol,price');
    expect(prices.length, 'rows for both markets').toBeGreaterThan(2000);
  });

  it('when_the_page_is_rebuilt_from_the_files_then_it_is_byte_identical_to_the_recorded_one', async () => {
    const recorded = readFileSync(path.join(runA, 'report.html'), 'utf8');
    const first = renderReport(await readRunDir(runA));
    const second = renderReport(await readRunDir(runA));
    expect(second, 'render twice: same bytes').toBe(first);
    expect(first, 'from memory at publish = from the files').toBe(recorded);
  });

  it('when_the_same_backtest_runs_twice_then_the_pages_are_identical', async () => {
    const again = path.join(root, 'a-again');
    await runBacktestCli(SCENARIO, { out: again });
    expect(readFileSync(path.join(again, 'report.html'), 'utf8')).toBe(readFileSync(path.join(runA, 'report.html'), 'utf8'));
  });

  it('when_the_kill_switch_trips_then_its_card_and_history_show_it', async () => {
    const dir = path.join(root, 'halted');
    await runBacktestCli(SCENARIO, { out: dir, 'max-drawdown': 0.02 });
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<div class="card bad"><div class="label">Kill switch</div><div class="value">halted</div>');
    expect(html).toMatch(/<section id="kill-switch">[\s\S]*<td>active<\/td><td>halted<\/td><td>max_drawdown: drawdown [\d.]+% exceeded the limit 2.00%<\/td>/);
  });

  it('has_no_network_reference', () => {
    const html = readFileSync(path.join(runA, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // The one URL outside the library's licence comment: the attribution link its licence asks for.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls.filter((u) => !u.includes('apache.org') && !u.includes('w3.org/2000/svg') && !u.includes('tradingview.com/?utm')))).toEqual(
      new Set(['https://www.tradingview.com/']),
    );
  });

  it('when_failures_and_reconciliation_files_exist_then_their_sections_show_them', async () => {
    const dir = path.join(root, 'faults');
    cpSync(runA, dir, { recursive: true });
    const before = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(before).toContain('No faults injected');
    writeFileSync(
      path.join(dir, 'failures.json'),
      JSON.stringify({
        faults: [
          { ts: '2025-06-01T12:00:00.000Z', kind: 'timeout', orders: ['tf-1'], detected: 'lookup', action: 'fetchOrder', outcome: 'filled', recoverMs: 1250 },
          { ts: '2025-06-01T06:00:00.000Z', kind: 'rate_limit' },
          { kind: 'disconnect', recoverMs: null },
        ],
        invariants: { lost: 0, duplicated: 1 },
        pnlCost: -12.5,
      }),
    );
    writeFileSync(path.join(dir, 'reconciliation.json'), JSON.stringify({ binance: { BTC: { ledger: '0.07', venue: '0.07' } }, ok: true }));
    await rebuildReport(dir);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('No faults injected');
    expect(html).toContain('Timeline (3 faults)');
    expect(html.indexOf('rate_limit'), 'in time order').toBeLessThan(html.indexOf('<strong>timeout'));
    expect(html).toContain('recovered in 1250 ms');
    expect(html).toMatch(/duplicated orders<\/td><td class="bad-text">1</);
    expect(html).toMatch(/lost orders<\/td><td class="good-text">0</);
    expect(html).toMatch(/position divergence<\/td><td class="bad-text">not reported</);
    expect(html).toContain('binance.BTC.ledger');
    expect(html).toContain('"kind":"fault"');
  });

  it('when_failures_json_is_in_the_fault_report_format_then_every_part_is_shown', async () => {
    // The shape src/faults/failure-report.ts writes: `time`, `lostOrders`…, `details`, `anomalies`, pnlCost as an object.
    const dir = path.join(root, 'fault-report');
    cpSync(runA, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'failures.json'),
      JSON.stringify({
        faults: [
          {
            id: 1,
            time: '2025-06-01T08:00:00.000Z',
            kind: 'timeout-after-accept',
            entry: 'timeout-after-accept @ order 3',
            venue: 'binance',
            symbol: 'BTC/USDT',
            orders: ['tf-3'],
            detected: 'submit timed out',
            action: 'looked up by client id',
            outcome: 'found open',
            recoverMs: 250,
            recovered: '2025-06-01T08:00:00.250Z',
          },
        ],
        invariants: { lostOrders: 0, duplicatedOrders: 0, positionDivergence: 0, balanceDivergence: 1, details: ['balance: binance USDT ledger 1 vs venue 2'] },
        anomalies: ['late fill for tf-9'],
        pnlCost: { currency: 'USDT', finalEquity: 17_400, finalEquityWithoutFaults: 17_497.6, cost: 97.6 },
        ok: false,
      }),
    );
    const html = renderReport(await readRunDir(dir));
    expect(html).toContain('2025-06-01T08:00:00.000Z · binance BTC/USDT · timeout-after-accept @ order 3');
    expect(html).toContain('recovered in 250 ms');
    expect(html).toMatch(/lost orders<\/td><td class="good-text">0</);
    expect(html).toMatch(/balance divergence<\/td><td class="bad-text">1</);
    expect(html).toContain('<li>balance: binance USDT ledger 1 vs venue 2</li>');
    expect(html).toContain('<li>anomaly: late fill for tf-9</li>');
    expect(html).toContain('97.6 USDT (final equity 17497.6 without the faults, 17400 with them)');
  });

  it('when_prices_csv_is_missing_then_the_page_says_so_instead_of_failing', async () => {
    const dir = path.join(root, 'old');
    cpSync(runA, dir, { recursive: true });
    rmSync(path.join(dir, 'prices.csv'));
    await rebuildReport(dir);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('no prices.csv');
  });

  it.each(['summary.json', 'equity.csv', 'trades.csv'])('when_%s_is_missing_then_the_error_names_it', async (name) => {
    const dir = path.join(root, `no-${name}`);
    cpSync(runA, dir, { recursive: true });
    rmSync(path.join(dir, name));
    const err = await readRunDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(path.join(dir, name));
    const r = await cli('report', dir);
    expect(r.code, 'bad input').toBe(2);
    expect(r.err).toContain(`${name}: missing`);
  });

  it('when_a_csv_row_is_corrupt_then_the_error_names_file_line_and_field', async () => {
    const dir = path.join(root, 'corrupt');
    cpSync(runA, dir, { recursive: true });
    const file = path.join(dir, 'equity.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/,[^,]+,/, ',abc,');
    writeFileSync(file, lines.join('\n'));
    await expect(readRunDir(dir)).rejects.toThrow(`${file}:6: field "equity": "abc" is not a number`);
  });

  it('when_failures_json_is_not_json_then_the_page_says_so_in_its_faults_section', async () => {
    const dir = path.join(root, 'bad-failures');
    cpSync(runA, dir, { recursive: true });
    writeFileSync(path.join(dir, 'failures.json'), '{ nope');
    writeFileSync(path.join(dir, 'reconciliation.json'), '[1,');
    const html = renderReport(await readRunDir(dir));
    expect(html).toMatch(/<p class="bad-text">failures\.json: not valid JSON: [^<]+<\/p>/);
    expect(html).toMatch(/<td>unreadable<\/td><td>reconciliation\.json: not valid JSON/);
  });
});

describe('tradeflow report', () => {
  it('when_given_one_folder_then_it_rebuilds_report_html_in_place_and_prints_the_summary', async () => {
    const dir = path.join(root, 'cli-one');
    cpSync(runA, dir, { recursive: true });
    const page = path.join(dir, 'report.html');
    writeFileSync(page, 'stale');
    const r = await cli('report', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('tradeflow backtest · quickstart');
    expect(r.out).toContain(`report.html rebuilt: ${page}`);
    expect(readFileSync(page, 'utf8')).toBe(readFileSync(path.join(runA, 'report.html'), 'utf8'));
    expect(existsSync(`${page}.tmp-${process.pid}`), 'no temp file left').toBe(false);
  });

  it('when_given_two_folders_then_it_writes_the_comparison_into_the_first', async () => {
    const r = await cli('report', runA, runB);
    expect(r.code, r.err).toBe(0);
    const page = path.join(runA, 'compare-b.html');
    expect(r.out).toContain(page);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('B − A');
    const data = JSON.parse(/<script id="tf-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!) as { charts: { id: string; series: unknown[] }[] };
    expect(data.charts.find((c) => c.id === 'equity')!.series, 'both equity curves on one chart').toHaveLength(2);
  });

  it('when_given_out_then_the_comparison_goes_there', async () => {
    const out = path.join(root, 'cmp.html');
    expect(await writeComparison(runA, runB, out)).toBe(out);
    const r = await cli('report', runA, runB, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('compare a vs b');
  });

  it('when_out_is_given_with_one_folder_then_it_is_refused', async () => {
    const r = await cli('report', runA, '--out', path.join(root, 'x.html'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('give two run folders');
  });
});
