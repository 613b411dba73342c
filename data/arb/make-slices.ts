/**
 * Regenerates the slices in this folder from ../../../shared/data (see README.md here for what each is
 * and why). Deterministic: the same inputs give byte-identical files.
 *
 *   node --import tsx data/arb/make-slices.ts [SHARED_DATA_DIR]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const here = path.dirname(new URL(import.meta.url).pathname);
const shared = path.resolve(process.argv[2] ?? path.join(here, '../../../shared/data'));

const lines = (f: string) => readFileSync(path.join(shared, f), 'utf8').trim().split('\n');
const gz = (name: string, text: string) => writeFileSync(path.join(here, name), gzipSync(Buffer.from(text), { level: 9, mtime: 0 } as never));

// --- Kimchi: Upbit BTC/KRW and Binance BTC/USDT, 5-minute, MANIFEST §3.2 and §3.3 ------------------
{
  const KIMCHI = 'kimchi-premium-arbitrage/data/historical/training';
  const up = lines(`${KIMCHI}/upbit_BTC_KRW_20250824_082622.csv`);
  const bn = lines(`${KIMCHI}/binance_BTC_USDT_20250824_082608.csv`);
  const from = '2025-07-30 05:55:00';
  const to = '2025-08-10 08:45:00';
  const upRows = up.slice(1).filter((l) => l >= from && l.slice(0, 19) <= to);
  const times = new Set(upRows.map((l) => l.slice(0, 19)));
  // Binance rows at the Upbit bars' times only (Upbit's file has gaps; elsewhere there is no pair).
  const bnRows = bn.slice(1).filter((l) => times.has(l.slice(0, 19)));
  if (bnRows.length !== upRows.length) throw new Error(`unmatched bars: ${bnRows.length} vs ${upRows.length}`);
  gz('upbit-btckrw-5m.csv.gz', [up[0], ...upRows].join('\n') + '\n');
  gz('binance-btcusdt-5m.csv.gz', [bn[0], ...bnRows].join('\n') + '\n');

  // Implied KRW per USDT: the median of the last 12 bars' Upbit close / Binance close, stamped at the
  // close of the last of them (known from then on, never before); restarted after a gap in the data.
  const closes = new Map(bnRows.map((l) => [l.slice(0, 19), Number(l.split(',')[4])]));
  const rates = ['timestamp,rate'];
  let window: number[] = [];
  let prev = Number.NaN;
  for (const l of upRows) {
    const t = Date.parse(`${l.slice(0, 19).replace(' ', 'T')}Z`);
    if (t - prev !== 300_000) window = [];
    prev = t;
    window.push(Number(l.split(',')[4]) / closes.get(l.slice(0, 19))!);
    if (window.length > 12) window.shift();
    if (window.length < 12) continue;
    const s = [...window].sort((a, b) => a - b);
    const median = (s[5]! + s[6]!) / 2;
    rates.push(`${new Date(t + 300_000).toISOString()},${median.toFixed(4)}`);
  }
  writeFileSync(path.join(here, 'usdt-krw-implied-1h.csv'), rates.join('\n') + '\n');
}

// --- USDC: Binance.US and Kraken BTC/USDC, 1-minute, MANIFEST §4.1 and §4.2 -------------------------
{
  const from = Date.UTC(2023, 2, 10, 18);
  const to = Date.UTC(2023, 2, 12, 18);
  const bus = lines('iaqf_analysis/data/binance/raw/BTCUSDC_1m_20230301_20230321.csv');
  const busRows = bus.slice(1).filter((l) => {
    const t = Date.parse(l.split(',')[0]!.replace(' ', 'T'));
    return t >= from && t < to;
  });
  gz('binanceus-btcusdc-1m.csv.gz', [bus[0], ...busRows].join('\n') + '\n');
  const kr = lines('iaqf_analysis/data/kraken/raw/BTCUSDC_1m_20230301_20230321.csv');
  const krRows = kr.filter((l) => {
    const t = Number(l.split(',')[0]) * 1000;
    return t >= from && t < to;
  });
  gz('kraken-btcusdc-1m.csv.gz', krRows.join('\n') + '\n');
}
