/**
 * Plays a fault action the way the venue would and logs it. Transport faults decide whether the venue
 * sees the request and whether the client gets an answer; issue 4's kinds add the venue's own bodies
 * (from the dialect), refusal windows, lookup lag, altered trade listings, a partial cap, frozen market
 * data and clock skew. "Did the venue execute it?" is read from the order ledger around the handler
 * call, so the log can name the order a timed-out client does not know it has.
 */
import { formatAtto } from '../../domain/money.ts';
import type { FaultAction, FaultKind, FaultParams, FaultRequest } from '../faults.ts';
import type { Dialect, FaultHandler, HttpReply, Transport } from '../http-server.ts';
import { venueOrderId, type OrderRecord } from '../order-ledger.ts';
import type { VenueCore } from '../venue-core.ts';
import type { FaultNote } from './fault-log.ts';
import { secondsLeft } from './traffic-gate.ts';

interface Executed {
  readonly reply: HttpReply;
  /** The order the request placed, if it placed one. */
  readonly order?: OrderRecord;
  readonly executed: boolean;
}

/** Defaults for kinds whose parameters were left out. */
const DEFAULTS = { rateLimitS: 1, banS: 2, skewMs: 61_000, lagLookups: 3, tradeLookups: 1, fill: 0.5, silenceMs: 3000 } as const;

const reply = (r: HttpReply): Transport => ({ type: 'reply', reply: r });
const HOLD: Transport = { type: 'hold' };

export function faultRunner(core: VenueCore, dialect: Dialect): FaultHandler {
  const { faults } = core;

  const run = (req: FaultRequest, execute: () => HttpReply): Executed => {
    const before = core.ledger.size;
    const r = execute();
    const order = core.ledger.size > before ? core.ledger.bySequence(core.ledger.size) : undefined;
    const executed = req.kind === 'order.create' ? order !== undefined : r.status < 300;
    return { reply: r, executed, ...(order !== undefined ? { order } : {}) };
  };

  /** `x`: what running the request did, or `false` when the venue never saw it. */
  const note = (req: FaultRequest, kind: string, effect: string, x?: Executed | false, params?: FaultParams, trigger = true): void => {
    const entry: FaultNote = {
      kind,
      trigger,
      request: `${req.method} ${req.path}`,
      requestKind: req.kind,
      ...(req.orderSeq !== undefined ? { orderSeq: req.orderSeq } : {}),
      ...(req.clientId !== undefined ? { clientId: req.clientId } : {}),
      ...(x !== false && x?.order !== undefined ? { orderId: venueOrderId(core.venue, x.order) } : {}),
      ...(x !== undefined ? { executed: x !== false && x.executed } : {}),
      ...(params !== undefined && Object.keys(params).length > 0 ? { params } : {}),
      effect,
    };
    faults.log.add(entry, req.now);
  };

  const what = (x: Executed): string => (x.order !== undefined ? `order ${venueOrderId(core.venue, x.order)} accepted` : x.executed ? 'executed' : `not executed (venue answered ${x.reply.status})`);

  /** Issue 4's kinds. */
  const play = (kind: FaultKind, p: FaultParams, req: FaultRequest, execute: () => HttpReply): Transport => {
    const now = req.now;
    switch (kind) {
      case 'timeout-after-accept': {
        const x = run(req, execute);
        note(req, kind, `${what(x)}; no answer (the client times out)`, x, p);
        return HOLD;
      }
      case 'timeout-before-accept':
        note(req, kind, 'not executed; no answer (the client times out)', false, p);
        return HOLD;
      case 'error-5xx-after-accept':
      case 'unknown-status': {
        const x = run(req, execute);
        const r = dialect.faultReply(kind === 'unknown-status' ? 'unknown-status' : 'server-error', { retryAfterS: 0, until: now, ...(p.status !== undefined ? { status: p.status } : {}) });
        note(req, kind, `${what(x)}; answered ${r.status} (execution status unknown to the client)`, x, p);
        return reply(r);
      }
      case 'rate-limit':
      case 'ip-ban': {
        const s = p.retryAfterS ?? (kind === 'ip-ban' ? DEFAULTS.banS : DEFAULTS.rateLimitS);
        const until = now + s * 1000;
        if (kind === 'ip-ban') faults.gate.ban(until);
        else faults.gate.rateLimit(until, (k) => dialect.inRateLimitGroup(k));
        const r = dialect.faultReply(kind, { retryAfterS: s, until });
        note(req, kind, `not executed; answered ${r.status}${s > 0 ? `, ${kind === 'ip-ban' ? 'all traffic' : 'the rate-limit group'} refused for ${s} s` : ''}`, false, p);
        return reply(r);
      }
      case 'clock-skew': {
        if (!dialect.checksTimestamps) {
          const x = run(req, execute);
          note(req, kind, `no effect: ${core.venue} requests carry no timestamp to check; answered ${x.reply.status}`, x, p);
          return reply(x.reply);
        }
        faults.clockOffsetMs += p.ms ?? DEFAULTS.skewMs;
        const x = run(req, execute);
        note(req, kind, `server clock now ${faults.clockOffsetMs} ms off wall time until the client resyncs; ${what(x)}`, x, p);
        return reply(x.reply);
      }
      case 'not-found-lag': {
        const x = run(req, execute);
        if (x.order !== undefined) faults.lag.hide(x.order, now, p.lookups ?? (p.ms === undefined ? DEFAULTS.lagLookups : undefined), p.ms);
        note(req, kind, x.order !== undefined ? `${what(x)}; lookups answer not-found for a while` : `no effect: ${what(x)}`, x, p);
        return reply(x.reply);
      }
      case 'duplicate-id': {
        const x = run(req, execute);
        // A duplicate needs a client id to collide on; without one the venue could not answer it.
        if (x.order === undefined || req.clientId === undefined) {
          note(req, kind, `no effect: ${x.order === undefined ? what(x) : 'the request carries no client id'}, answer passed through`, x, p);
          return reply(x.reply);
        }
        const r = dialect.faultReply('duplicate-id', { retryAfterS: 0, until: now });
        note(req, kind, `${what(x)}; answered ${r.status} duplicate (as if an earlier attempt had placed it)`, x, p);
        return reply(r);
      }
      case 'drop-event':
      case 'repeat-event': {
        const x = run(req, execute);
        if (x.order !== undefined) faults.trades.mark(x.order, kind, p.lookups ?? (p.ms === undefined ? DEFAULTS.tradeLookups : undefined), p.ms);
        note(req, kind, x.order !== undefined ? `${what(x)}; its trades are ${kind === 'drop-event' ? 'left out of' : 'repeated in'} listings for a while` : `no effect: ${what(x)}`, x, p);
        return reply(x.reply);
      }
      case 'partial-then-cancel': {
        faults.armPartial(p.fill ?? DEFAULTS.fill);
        let x: Executed;
        try {
          x = run(req, execute);
        } finally {
          faults.armPartial(undefined);
        }
        const cap = x.order?.cap;
        note(req, kind, cap !== undefined ? `${what(x)}; the venue cancels the rest once ${formatAtto(cap)} has filled` : `no effect: ${what(x)}${x.order !== undefined ? ' (too small to split)' : ''}`, x, p);
        return reply(x.reply);
      }
      case 'stream-silence': {
        const ms = p.ms ?? DEFAULTS.silenceMs;
        faults.freeze.start(core.live, core.markets.keys(), now, ms);
        const x = run(req, execute);
        note(req, kind, `market data frozen until ${new Date(faults.freeze.endsAt).toISOString()}; ${what(x)}`, x, p);
        return reply(x.reply);
      }
    }
  };

  return {
    gate(req, planned) {
      const refusal = faults.gate.check(req.kind, req.now);
      if (refusal === undefined) return undefined;
      const r = dialect.faultReply(refusal.kind, { retryAfterS: secondsLeft(refusal.until, req.now), until: refusal.until });
      const lost = planned !== undefined && planned.type !== 'pass' ? `; the planned ${planned.type === 'fault' ? planned.kind : planned.type} did not fire` : '';
      note(req, refusal.kind, `not executed; answered ${r.status} (window open until ${new Date(refusal.until).toISOString()})${lost}`, false, undefined, false);
      return r;
    },

    resolve(action: FaultAction, req: FaultRequest, execute: () => HttpReply): Transport {
      switch (action.type) {
        case 'fault':
          return play(action.kind, action.params ?? {}, req, execute);
        case 'error': {
          const r: HttpReply = { status: action.status, body: action.body, ...(action.headers ? { headers: action.headers } : {}) };
          note(req, 'error', `not executed; answered ${r.status}`, false);
          return reply(r);
        }
        case 'error-after-accept': {
          const x = run(req, execute);
          note(req, 'error-after-accept', `${what(x)}; answered ${action.status}`, x);
          return reply({ status: action.status, body: action.body, ...(action.headers ? { headers: action.headers } : {}) });
        }
        case 'timeout-after-accept':
        case 'reset-after-accept': {
          const x = run(req, execute);
          note(req, action.type, `${what(x)}; ${action.type === 'reset-after-accept' ? 'connection reset' : 'no answer'}`, x);
          return action.type === 'reset-after-accept' ? { type: 'reset' } : HOLD;
        }
        case 'timeout-before-accept':
          note(req, action.type, 'not executed; no answer', false);
          return HOLD;
        default:
          return reply(execute()); // pass / delay never reach here (http-server handles them)
      }
    },

    delayed(req, ms) {
      note(req, 'delay', `answer delayed ${ms} ms`);
    },
  };
}
