/**
 * The Journal contract, run against every implementation (SqliteJournal and MemoryJournal) so that a
 * backtest and a live run record and recover orders the same way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientIdFactory } from '../../src/domain/client-ids.ts';
import type { OrderStatus, SubmitOrder } from '../../src/domain/types.ts';
import { JournalError, type Journal, type JournalOptions } from '../../src/journal/journal.ts';
import { fill, intent } from './fixtures.ts';

export interface JournalHarness {
  /** A journal, not yet opened, over fresh storage. */
  readonly journal: Journal;
  /** The journal to open after `close()`: a new instance on the same file, or the same instance. */
  reopen(): Journal;
  cleanup?(): void;
}

export function journalContract(name: string, make: (opts?: JournalOptions) => JournalHarness): void {
  describe(`journal contract: ${name}`, () => {
    let h: JournalHarness;
    let j: Journal;
    beforeEach(() => {
      h = make();
      j = h.journal;
      j.open('run-1');
    });
    afterEach(() => {
      j.close();
      h.cleanup?.();
    });
    const reopen = (runId: string): Journal => {
      j.close();
      j = h.reopen();
      j.open(runId);
      return j;
    };

    it('when an intent, its transitions and fills are recorded then they read back exactly', () => {
      const cmd = intent('r1-1');
      j.recordIntent(cmd);
      j.recordTransition('r1-1', 'submitting', 1_000);
      j.recordTransition('r1-1', 'open', 1_500, undefined, 'ex-1');
      const f1 = fill('r1-1', 't1');
      const f2 = fill('r1-1', 't2', { ts: 2_100, price: 30_000.2, liquidity: 'taker', notional: 2n ** 70n, fee: 0n });
      expect(j.recordFill(f1)).toBe(true);
      j.recordTransition('r1-1', 'partially_filled', 2_000);
      expect(j.recordFill(f2)).toBe(true);
      j.recordTransition('r1-1', 'filled', 2_100, 'done');

      expect(j.order('r1-1')).toStrictEqual({
        runId: 'run-1', clientId: 'r1-1', intent: cmd, status: 'filled', exchangeId: 'ex-1', reason: 'done', updatedTs: 2_100,
      });
      expect(j.transitions('r1-1').map((t) => t.status)).toEqual(['new', 'submitting', 'open', 'partially_filled', 'filled']);
      expect(j.transitions('r1-1')[2]).toStrictEqual({ clientId: 'r1-1', status: 'open', ts: 1_500, exchangeId: 'ex-1' });
      expect(j.fills('r1-1')).toStrictEqual([f1, f2]);
      expect(j.fills()).toStrictEqual([f1, f2]);
      expect(j.openOrders()).toEqual([]);
    });

    it('when an intent has no price or signal then it reads back without them', () => {
      const cmd: SubmitOrder = { clientId: 'm-1', venue: 'upbit', symbol: 'BTC/KRW', side: 'sell', type: 'market', quantity: 0.1, ts: 5 };
      j.recordIntent(cmd);
      expect(j.order('m-1')?.intent).toStrictEqual(cmd);
      expect(j.order('m-1')?.status).toBe('new');
      expect(j.order('nope')).toBeUndefined();
    });

    it('when a venue trade id is recorded twice then the second is refused and stored once', () => {
      j.recordIntent(intent('d-1'));
      expect(j.recordFill(fill('d-1', 'T-9'))).toBe(true);
      expect(j.recordFill(fill('d-1', 'T-9', { quantity: 99 }))).toBe(false);
      // The same trade id on another venue is another trade.
      expect(j.recordFill(fill('d-1', 'T-9', { venue: 'upbit' }))).toBe(true);
      expect(j.fills('d-1').map((f) => [f.venue, f.quantity])).toEqual([['binance', 0.25], ['upbit', 0.25]]);
      reopen('run-2');
      expect(j.recordFill(fill('d-1', 'T-9'))).toBe(false);
    });

    it('when orders end in every status then openOrders lists exactly the unresolved ones, oldest first', () => {
      const last: Record<string, OrderStatus[]> = {
        a: [], b: ['submitting'], c: ['submitting', 'open'], d: ['submitting', 'partially_filled'], e: ['submitting', 'unknown'],
        f: ['submitting', 'filled'], g: ['submitting', 'canceled'], h: ['rejected'], i: ['submitting', 'open', 'expired'],
      };
      for (const [id, path] of Object.entries(last)) {
        j.recordIntent(intent(id));
        path.forEach((s, k) => j.recordTransition(id, s, 1_001 + k));
      }
      expect(j.openOrders().map((o) => [o.clientId, o.status])).toEqual([
        ['a', 'new'], ['b', 'submitting'], ['c', 'open'], ['d', 'partially_filled'], ['e', 'unknown'],
      ]);
      // An earlier run's unresolved orders are still listed after a restart under another run id.
      reopen('run-2');
      j.recordIntent(intent('z'));
      expect(j.openOrders().map((o) => `${o.runId}/${o.clientId}`)).toEqual(['run-1/a', 'run-1/b', 'run-1/c', 'run-1/d', 'run-1/e', 'run-2/z']);
    });

    it('when statuses arrive out of time order then the last recorded wins and updatedTs never goes back', () => {
      j.recordIntent(intent('o-1'));
      j.recordTransition('o-1', 'canceled', 3_000, 'user');
      j.recordTransition('o-1', 'filled', 2_500, undefined, 'ex-7'); // a fill that crossed the cancel
      expect(j.order('o-1')).toMatchObject({ status: 'filled', updatedTs: 3_000, reason: 'user', exchangeId: 'ex-7' });
    });

    it('when a client id is reused then the intent is refused, also after a restart', () => {
      j.recordIntent(intent('u-1'));
      expect(() => j.recordIntent(intent('u-1', { quantity: 2 }))).toThrow(JournalError);
      reopen('run-2');
      expect(() => j.recordIntent(intent('u-1'))).toThrow(/already journaled/);
      expect(j.order('u-1')?.intent.quantity).toBe(0.5);
    });

    it('when a transition or fill names an order without an intent, or a status is unknown, then it is refused', () => {
      expect(() => j.recordTransition('ghost', 'open', 1)).toThrow(/no journaled intent/);
      expect(() => j.recordFill(fill('ghost', 't1'))).toThrow(JournalError);
      j.recordIntent(intent('k-1'));
      expect(() => j.recordTransition('k-1', 'bogus' as OrderStatus, 1)).toThrow(/unknown status/);
      expect(() => j.recordTransition('k-1', 'open', Number.NaN)).toThrow(JournalError);
      expect(j.transitions('k-1')).toHaveLength(1);
      expect(j.fills()).toEqual([]);
    });

    it('when a run resumes then the client-id sequence continues past every journaled id', () => {
      expect(j.lastClientSeq('tf1')).toBe(0);
      const ids = new ClientIdFactory('tf1');
      for (let i = 0; i < 40; i++) j.recordIntent(intent(ids.next())); // tf1-1 … tf1-14 (base 36)
      j.recordIntent(intent('tf10-zz')); // another prefix that starts alike
      j.recordIntent(intent('t_1-5')); // '_' is a LIKE wildcard: must not match 'tf1'
      j.recordIntent(intent('adopted-from-venue-ABC')); // not a factory id
      expect(j.lastClientSeq('tf1')).toBe(40);
      expect(j.lastClientSeq('tf10')).toBe(36 * 36 - 1);
      expect(j.lastClientSeq('t_1')).toBe(5);
      reopen('run-1');
      const resumed = new ClientIdFactory('tf1', j.lastClientSeq('tf1'));
      const next = resumed.next();
      expect(next).toBe('tf1-15');
      expect(j.order(next)).toBeUndefined();
      j.recordIntent(intent(next));
      expect(j.lastClientSeq('tf1')).toBe(41);
    });

    it('when a run resumes then signalIds lists the signals that run already turned into orders, and only those', () => {
      j.recordIntent(intent('a-1', { signalId: 's1' }));
      j.recordIntent(intent('a-2', { signalId: 's2' }));
      j.recordIntent(intent('a-3', { signalId: 's2' })); // a second attempt of the same signal
      const { signalId: _none, ...noSignal } = intent('a-4');
      j.recordIntent(noSignal);
      reopen('run-2');
      j.recordIntent(intent('b-1', { signalId: 's9' }));
      expect([...j.signalIds('run-1')].sort()).toEqual(['s1', 's2']);
      expect([...j.signalIds('run-2')]).toEqual(['s9']);
      expect(j.signalIds('run-3').size).toBe(0);
    });

    it('when runs open, resume and record events then runs() and runEvents() list them', () => {
      j.recordRunEvent('kill-switch', { state: 'halted', reason: 'drawdown', loss: 12_345_000_000_000_000_000n }, 7_000);
      reopen('run-2');
      j.recordRunEvent('reconciliation', { adopted: ['x-1'], missing: [] }, 8_000);
      reopen('run-1');
      expect(j.runs().map((r) => [r.runId, r.opens])).toEqual([['run-1', 2], ['run-2', 1]]);
      expect(j.runEvents('run-1')).toStrictEqual([
        { runId: 'run-1', kind: 'kill-switch', ts: 7_000, detail: { state: 'halted', reason: 'drawdown', loss: '12345000000000000000' } },
      ]);
      expect(j.runEvents().map((e) => e.kind)).toEqual(['kill-switch', 'reconciliation']);
    });

    it('when a batch throws then none of its writes remain; a caught inner batch is undone alone', () => {
      j.recordIntent(intent('b-0'));
      expect(() =>
        j.batch(() => {
          j.recordIntent(intent('b-1'));
          j.recordTransition('b-0', 'open', 1_100, undefined, 'ex-b0');
          j.recordFill(fill('b-0', 'tb'));
          j.recordRunEvent('note', {}, 1);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(j.order('b-1')).toBeUndefined();
      expect(j.order('b-0')).toMatchObject({ status: 'new', updatedTs: 1_000 });
      expect(j.order('b-0')?.exchangeId).toBeUndefined();
      expect(j.transitions('b-0')).toHaveLength(1);
      expect(j.recordFill(fill('b-0', 'tb'))).toBe(true); // the trade id was released
      expect(j.runEvents()).toEqual([]);

      const out = j.batch(() => {
        j.recordIntent(intent('b-2'));
        expect(() => j.batch(() => { j.recordIntent(intent('b-3')); throw new Error('inner'); })).toThrow('inner');
        return 'kept';
      });
      expect(out).toBe('kept');
      expect([j.order('b-2')?.status, j.order('b-3')]).toEqual(['new', undefined]);
      // An async function would commit before its awaits: refused, and its synchronous part undone.
      expect(() => j.batch(async () => j.recordIntent(intent('b-4')))).toThrow(TypeError);
      expect(j.order('b-4')).toBeUndefined();
    });

    it('when used before open, or opened twice, then it refuses with a JournalError', () => {
      expect(() => j.open('run-x')).toThrow(/already open/);
      j.close();
      expect(() => j.recordIntent(intent('n-1'))).toThrow(/not open/);
      expect(() => j.openOrders()).toThrow(JournalError);
      expect(() => h.reopen().open('')).toThrow(JournalError);
      j = h.reopen();
      j.open('run-1');
    });

    it('when a redactor is configured then reasons and run-event details are stored redacted', () => {
      const r = make({ redact: (t) => t.split('K3Y-sEcReT').join('***'), now: () => 42 });
      try {
        r.journal.open('run-r');
        r.journal.recordIntent(intent('x-1'));
        r.journal.recordTransition('x-1', 'rejected', 1_100, 'AuthenticationError: Invalid API-key K3Y-sEcReT');
        r.journal.recordRunEvent('error', { message: 'echo K3Y-sEcReT' });
        expect(r.journal.order('x-1')?.reason).toBe('AuthenticationError: Invalid API-key ***');
        expect(r.journal.transitions('x-1')[1]?.reason).toBe('AuthenticationError: Invalid API-key ***');
        expect(r.journal.runEvents()).toStrictEqual([{ runId: 'run-r', kind: 'error', ts: 42, detail: { message: 'echo ***' } }]);
        expect(r.journal.runs()).toStrictEqual([{ runId: 'run-r', firstOpenedTs: 42, lastOpenedTs: 42, opens: 1 }]);
      } finally {
        r.journal.close();
        r.cleanup?.();
      }
    });
  });
}
