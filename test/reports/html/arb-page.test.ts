/**
 * The Arbitrage section from real runs: backtests of scenarios/arb-usdc.yaml and arb-kimchi.yaml
 * (about a second each). The recorder draws the section at publish, `tradeflow report` redraws the
 * same bytes from the files, and the figures are those of the run's arbitrage.json.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArbitrageReport } from '../../../src/engine/arb-report.ts';
import { readRunDir, renderReport, writeComparison } from '../../../src/reports/html/index.ts';
import { REPO, runBacktestCli, tmpDir } from '../../engine/helpers.ts';
import { embeddedCharts, htmlSection, htmlTable, tableMap } from './arb-fixture.ts';

let root: string;
let usdc: string;
let kimchi: string;

beforeAll(async () => {
  root = tmpDir('tf-arb-page-');
  usdc = path.join(root, 'usdc');
  kimchi = path.join(root, 'kimchi');
  await runBacktestCli(path.join(REPO, 'scenarios/arb-usdc.yaml'), { out: usdc });
  await runBacktestCli(path.join(REPO, 'scenarios/arb-kimchi.yaml'), { out: kimchi });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const arbOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'arbitrage.json'), 'utf8')) as ArbitrageReport;
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

describe('report.html of an arbitrage backtest', () => {
  it('when_the_run_publishes_then_its_page_has_the_arbitrage_section_with_the_files_figures', () => {
    const html = readFileSync(path.join(usdc, 'report.html'), 'utf8');
    const arb = arbOf(usdc);
    const section = htmlSection(html, 'arbitrage')!;
    expect(section, 'drawn by the recorder at publish').toBeDefined();
    const opp = htmlTable(section, 'arb-opportunities').rows;
    expect(opp[1]).toEqual(['detector → executor', count(arb.opportunities.fromDetector.seen), count(arb.opportunities.fromDetector.taken), expect.any(String)]);
    const outcomes = tableMap(section, 'arb-outcomes');
    for (const [k, v] of Object.entries(arb.outcomes)) expect(outcomes.get(k), k).toBe(count(v));
    const pnl = tableMap(section, 'arb-pnl');
    expect(pnl.get('total')).toBe(arb.pnl.total.toFixed(2).replace(/^-/, '−').replace(/\B(?=(\d{3})+(?!\d)\.)/g, ','));
    expect([...pnl.keys()]).toEqual([...Object.keys(arb.pnl.byVenue).sort(), 'total']);
    expect(htmlTable(section, 'arb-transfers').rows.map((r) => r.slice(0, 3))).toEqual(arb.inventory.transfers.map((t) => [t.asset, t.from, t.to]));
    const trades = htmlTable(section, 'arb-trades').rows;
    expect(trades).toHaveLength(Math.min(500, arb.trades.length));
    expect(trades[0]![0]).toBe(arb.trades[0]!.id);
    const premium = embeddedCharts(html).find((c) => c.id === 'premium')!;
    expect(premium.series[0]!.t).toHaveLength(arb.premium[0]!.points.length);
  });

  it('when_the_page_is_rebuilt_from_the_files_then_it_is_byte_identical_to_the_recorded_one', async () => {
    const recorded = readFileSync(path.join(usdc, 'report.html'), 'utf8');
    expect(renderReport(await readRunDir(usdc))).toBe(recorded);
  });

  it('when_two_arbitrage_runs_are_compared_then_their_headline_figures_are_side_by_side', async () => {
    const file = await writeComparison(usdc, kimchi, path.join(root, 'cmp.html'));
    const section = htmlSection(readFileSync(file, 'utf8'), 'arbitrage')!;
    const rows = new Map(htmlTable(section, 'arb-compare').rows.map((r) => [r[0]!, r.slice(1)]));
    const [a, b] = [arbOf(usdc), arbOf(kimchi)];
    const taken = (x: ArbitrageReport) => x.opportunities.fromDetector.taken + x.opportunities.fromSignals.taken;
    expect(rows.get('arbitrages taken')!.slice(0, 2)).toEqual([count(taken(a)), count(taken(b))]);
    expect(rows.get('outcome complete')!.slice(0, 2)).toEqual([count(a.outcomes.complete ?? 0), count(b.outcomes.complete ?? 0)]);
    expect(rows.get('total P&L'), 'USDC against USDT: no difference').toEqual([expect.stringContaining('USDC'), expect.stringContaining('USDT'), 'n/a']);
  });
});
