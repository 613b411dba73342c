/**
 * The optional files of a run folder the page shows when present: `failures.json` (injected faults
 * and the invariants checked after them) and `reconciliation.json` (generic key/values). Both are
 * written by other parts of the system, so what is read is typed loosely and every field may be
 * missing or of another type: the page shows what is there, as text, and says what is not.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../core/errors.ts';

/**
 * One injected fault, as failures.json lists it. Every field may be absent. Its time is `ts` (ISO or
 * ms) or `time` (ISO, as src/faults/failure-report.ts writes it).
 */
export interface FaultRecord {
  readonly ts?: string | number;
  readonly time?: string;
  readonly kind?: string;
  /** The schedule entry that injected it, e.g. `timeout-after-accept @ order 3`. */
  readonly entry?: string;
  readonly venue?: string;
  readonly symbol?: string;
  /** Client ids of the orders it hit. */
  readonly orders?: readonly string[];
  /** How (or when, or whether) it was detected. */
  readonly detected?: unknown;
  readonly action?: unknown;
  readonly outcome?: unknown;
  readonly recoverMs?: number | null;
}

/** The invariants checked after the faults; `lost`/`duplicated` may also be spelled `lostOrders`/`duplicatedOrders`. */
export interface FailureInvariants {
  readonly lost?: unknown;
  readonly lostOrders?: unknown;
  readonly duplicated?: unknown;
  readonly duplicatedOrders?: unknown;
  readonly positionDivergence?: unknown;
  readonly balanceDivergence?: unknown;
  /** One line per finding. */
  readonly details?: readonly string[];
}

/** failures.json. */
export interface FailuresFile {
  readonly faults?: readonly FaultRecord[];
  readonly invariants?: FailureInvariants;
  /** A number, or `{ currency, cost, finalEquity, finalEquityWithoutFaults }`. */
  readonly pnlCost?: unknown;
  /** Order news the order's state could not take. */
  readonly anomalies?: readonly string[];
  readonly ok?: boolean;
}

/** A fault as the page shows it: text only, plus its time in ms when it has one. */
export interface FaultView {
  readonly tsMs: number | null;
  readonly ts: string;
  readonly kind: string;
  /** Schedule entry and market, when given (empty otherwise). */
  readonly entry: string;
  readonly market: string;
  readonly orders: readonly string[];
  readonly detected: string;
  readonly action: string;
  readonly outcome: string;
  readonly recover: string;
}

export interface InvariantView {
  readonly name: string;
  readonly value: string;
  /** True when the value reads as "nothing wrong" (0, false, empty). */
  readonly ok: boolean;
}

export interface FailuresView {
  readonly faults: readonly FaultView[];
  readonly invariants: readonly InvariantView[];
  /** The invariants' findings and the anomalies, one line each (at most MAX_FINDINGS). */
  readonly findings: readonly string[];
  readonly pnlCost: string;
  /** Set when failures.json could not be read or understood: what is wrong with it. */
  readonly problem?: string;
}

export interface KeyValueRow {
  readonly key: string;
  readonly value: string;
}

export const FAILURES_FILE = 'failures.json';
export const RECONCILIATION_FILE = 'reconciliation.json';
/** Rows of reconciliation.json shown at most. */
export const MAX_KEY_VALUE_ROWS = 200;
/** Invariant findings and anomalies listed at most (the file has them all). */
export const MAX_FINDINGS = 50;

const INVARIANTS: readonly [readonly (keyof FailureInvariants)[], string][] = [
  [['lost', 'lostOrders'], 'lost orders'],
  [['duplicated', 'duplicatedOrders'], 'duplicated orders'],
  [['positionDivergence'], 'position divergence'],
  [['balanceDivergence'], 'balance divergence'],
];

/** A JSON file of the run folder, or undefined when there is none; malformed JSON names the file. */
export async function readOptionalJson(dir: string, name: string): Promise<unknown> {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw DataError.at(file, undefined, `cannot read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw DataError.at(file, undefined, `not valid JSON: ${(err as Error).message}`);
  }
}

/** failures.json as the page shows it. Only a non-object, or `faults` that is not a list, is refused. */
export function failuresView(raw: unknown, file = FAILURES_FILE): FailuresView {
  if (!isObject(raw)) throw DataError.at(file, undefined, 'expected a JSON object with "faults" and "invariants"');
  const f = raw as FailuresFile;
  if (f.faults !== undefined && !Array.isArray(f.faults)) throw DataError.at(file, undefined, 'expected a list', 'faults');
  const faults = (f.faults ?? []).map((entry) => faultView(isObject(entry) ? (entry as FaultRecord) : { kind: display(entry) }));
  const inv = isObject(f.invariants) ? (f.invariants as Record<string, unknown>) : {};
  const invariants = INVARIANTS.map(([keys, name]) => {
    const key = keys.find((k) => Object.hasOwn(inv, k));
    return { name, value: key === undefined ? 'not reported' : display(inv[key]), ok: key !== undefined && isNothing(inv[key]) };
  });
  const lines = (v: unknown, prefix: string): string[] => (Array.isArray(v) ? v.map((x) => `${prefix}${display(x)}`) : []);
  const all = [...lines(inv.details, ''), ...lines(f.anomalies, 'anomaly: ')];
  const findings = all.length > MAX_FINDINGS ? [...all.slice(0, MAX_FINDINGS), `… and ${all.length - MAX_FINDINGS} more (see the file)`] : all;
  return { faults, invariants, findings, pnlCost: pnlCostText(f.pnlCost) };
}

/** `{currency, cost, finalEquity, finalEquityWithoutFaults}` in words; anything else as it is. */
function pnlCostText(v: unknown): string {
  if (!isObject(v) || typeof v.cost !== 'number') return display(v);
  const cur = typeof v.currency === 'string' ? ` ${v.currency}` : '';
  const eq = (x: unknown) => (typeof x === 'number' ? display(x) : '?');
  const detail = v.finalEquity === undefined ? '' : ` (final equity ${eq(v.finalEquityWithoutFaults)} without the faults, ${eq(v.finalEquity)} with them)`;
  return `${display(v.cost)}${cur}${detail}`;
}

function faultView(e: FaultRecord): FaultView {
  const when = e.ts ?? e.time;
  const tsMs = typeof when === 'number' ? when : typeof when === 'string' ? Date.parse(when) : Number.NaN;
  const valid = Number.isFinite(tsMs) && Math.abs(tsMs) <= 8.64e15;
  const orders = Array.isArray(e.orders) ? e.orders.map((o) => display(o)) : e.orders === undefined ? [] : [display(e.orders)];
  return {
    tsMs: valid ? Math.trunc(tsMs) : null,
    ts: valid ? new Date(tsMs).toISOString() : display(when),
    kind: display(e.kind),
    entry: typeof e.entry === 'string' ? e.entry : '',
    market: [e.venue, e.symbol].filter((x) => typeof x === 'string').join(' '),
    orders,
    detected: display(e.detected),
    action: display(e.action),
    outcome: display(e.outcome),
    recover: typeof e.recoverMs === 'number' && Number.isFinite(e.recoverMs) ? `${roundTo(e.recoverMs, 3)} ms` : display(e.recoverMs),
  };
}

/** reconciliation.json flattened into `a.b.c → value` rows (at most MAX_KEY_VALUE_ROWS, then a "more" row). */
export function keyValueRows(raw: unknown): KeyValueRow[] {
  const rows: KeyValueRow[] = [];
  let more = 0;
  const walk = (value: unknown, key: string, depth: number): void => {
    if (depth < 4 && isObject(value) && Object.keys(value).length > 0) {
      for (const k of Object.keys(value).sort()) walk((value as Record<string, unknown>)[k], key === '' ? k : `${key}.${k}`, depth + 1);
      return;
    }
    if (rows.length < MAX_KEY_VALUE_ROWS) rows.push({ key: key === '' ? '(value)' : key, value: display(value) });
    else more++;
  };
  walk(raw, '', 0);
  if (more > 0) rows.push({ key: '…', value: `${more} more (see the file)` });
  return rows;
}

/** Any JSON value as one line of text: objects with sorted keys, so the page is deterministic. */
export function display(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(roundTo(value, 12)) : String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => display(v)).join(', ');
  if (isObject(value)) return JSON.stringify(sortKeys(value));
  return String(value);
}

/** 0, false, null, "0", an empty list or object, or an object of such: nothing went wrong. */
function isNothing(value: unknown): boolean {
  if (value === null || value === false || value === 0 || value === '0') return true;
  if (typeof value === 'string') return Number(value) === 0 && value.trim() !== '';
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isNothing);
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

function roundTo(x: number, digits: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(digits));
}
