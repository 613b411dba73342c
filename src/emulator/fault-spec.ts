/**
 * `--fault` specs → a FaultPlan. The syntax (repeatable flag):
 *
 *   KIND@N[,KEY=VALUE...]   fire on the N-th order request (1-based; every POST order attempt counts)
 *   KIND:P[,KEY=VALUE...]   fire on each order request with probability P in [0, 1], drawn from a
 *                           PRNG seeded by --seed: the same seed and the same request order hit the
 *                           same requests
 *
 * e.g. `timeout-after-accept@1`, `not-found-lag@3,lookups=5`, `stream-silence@2,ms=3000`,
 * `rate-limit:0.1,retry-after=2`. Only order requests trigger faults: a fault that acts on other
 * traffic (ip-ban, rate-limit, stream-silence, clock-skew) starts at its order request and lasts.
 * When several specs hit the same request, the first given wins; every probabilistic spec still
 * draws its number on every order request, so adding an `@N` spec never shifts the random hits.
 */
import { seededRandom } from '../core/random.ts';
import { ConfigError } from '../core/errors.ts';
import { FAULT_KINDS, type FaultAction, type FaultKind, type FaultParams, type FaultPlan } from './faults.ts';

export interface FaultSpec {
  readonly kind: FaultKind;
  /** `{at: N}` for `@N`, `{probability: P}` for `:P`. */
  readonly schedule: { readonly at: number } | { readonly probability: number };
  readonly params: FaultParams;
  /** The spec as given, for messages and the startup banner. */
  readonly text: string;
}

type ParamName = keyof FaultParams;

/** Command-line key → parameter, with its check and what the message says is expected. */
const KEYS: Record<string, { name: ParamName; ok: (n: number) => boolean; expect: string }> = {
  'retry-after': { name: 'retryAfterS', ok: (n) => Number.isInteger(n) && n >= 0, expect: 'whole seconds ≥ 0' },
  status: { name: 'status', ok: (n) => Number.isInteger(n) && n >= 500 && n <= 599, expect: 'an HTTP status 500..599' },
  ms: { name: 'ms', ok: (n) => Number.isInteger(n) && n >= 1, expect: 'whole milliseconds ≥ 1' },
  lookups: { name: 'lookups', ok: (n) => Number.isInteger(n) && n >= 1, expect: 'a whole number ≥ 1' },
  fill: { name: 'fill', ok: (n) => n > 0 && n < 1, expect: 'a fraction strictly between 0 and 1' },
};

/** The keys each kind takes (clock-skew's ms may be negative: the server clock falls behind). */
const PARAMS: Record<FaultKind, readonly string[]> = {
  'timeout-after-accept': [],
  'timeout-before-accept': [],
  'error-5xx-after-accept': ['status'],
  'unknown-status': [],
  'rate-limit': ['retry-after'],
  'ip-ban': ['retry-after'],
  'clock-skew': ['ms'],
  'not-found-lag': ['lookups', 'ms'],
  'duplicate-id': [],
  'drop-event': ['lookups', 'ms'],
  'repeat-event': ['lookups', 'ms'],
  'partial-then-cancel': ['fill'],
  'stream-silence': ['ms'],
};

export const FAULT_SPEC_FORM = 'KIND@N or KIND:P, then optional ,KEY=VALUE (e.g. not-found-lag@3,lookups=5 or rate-limit:0.1,retry-after=2)';

const bad = (text: string, msg: string): never => {
  throw new ConfigError(`emulator: --fault ${JSON.stringify(text)}: ${msg}`, { field: 'fault' });
};

/** Parses one `--fault` value; a ConfigError naming the flag and the expected form when malformed. */
export function parseFaultSpec(text: string): FaultSpec {
  const [head = '', ...rest] = text.trim().split(',');
  const m = /^([a-z0-9-]+)(?:@(\S+)|:(\S+))$/.exec(head.trim());
  if (m === null) return bad(text, `expected ${FAULT_SPEC_FORM}`);
  const [, kindText, atText, pText] = m;
  if (!(FAULT_KINDS as readonly string[]).includes(kindText!)) return bad(text, `unknown fault kind ${JSON.stringify(kindText)}; expected one of ${FAULT_KINDS.join(', ')}`);
  const kind = kindText as FaultKind;
  let schedule: FaultSpec['schedule'];
  if (atText !== undefined) {
    const n = /^\d+$/.test(atText) ? Number(atText) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= 1)) return bad(text, `@N: expected the order request number, a whole number ≥ 1 (${FAULT_SPEC_FORM}), got ${JSON.stringify(atText)}`);
    schedule = { at: n };
  } else {
    const p = /^(\d+(\.\d*)?|\.\d+)$/.test(pText!) ? Number(pText) : Number.NaN;
    if (!(p >= 0 && p <= 1)) return bad(text, `:P: expected a probability in [0, 1] (${FAULT_SPEC_FORM}), got ${JSON.stringify(pText)}`);
    schedule = { probability: p };
  }
  const params: Partial<Record<ParamName, number>> = {};
  const allowed = PARAMS[kind];
  for (const part of rest) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const valueText = eq < 0 ? '' : part.slice(eq + 1).trim();
    const takes = allowed.length > 0 ? `${kind} takes ${allowed.map((k) => `${k}=…`).join(', ')}` : `${kind} takes no parameters`;
    if (!allowed.includes(key)) return bad(text, `unknown parameter ${JSON.stringify(key)}: ${takes}`);
    const spec = KEYS[key]!;
    const n = /^-?(\d+(\.\d*)?|\.\d+)$/.test(valueText) ? Number(valueText) : Number.NaN;
    const valid = kind === 'clock-skew' ? Number.isInteger(n) && n !== 0 : spec.ok(n);
    const expect = kind === 'clock-skew' ? 'whole milliseconds, not 0 (negative: the server clock falls behind)' : spec.expect;
    if (!valid) return bad(text, `${key}: expected ${expect}, got ${JSON.stringify(valueText)}`);
    if (params[spec.name] !== undefined) return bad(text, `${key} given twice`);
    params[spec.name] = n;
  }
  return { kind, schedule, params, text: text.trim() };
}

export function parseFaultSpecs(texts: readonly string[] | undefined): FaultSpec[] {
  return (texts ?? []).map(parseFaultSpec);
}

/** Human form of a spec for the startup banner: `timeout-after-accept on order request 1`. */
export function describeFaultSpec(s: FaultSpec): string {
  const when = 'at' in s.schedule ? `on order request ${s.schedule.at}` : `on each order request with p=${s.schedule.probability}`;
  const params = Object.entries(s.params).map(([k, v]) => `${k}=${v}`);
  return `${s.kind} ${when}${params.length > 0 ? ` (${params.join(', ')})` : ''}`;
}

/**
 * The plan for `specs`: consulted on every request, acting on order requests only. Each `:P` spec
 * draws one number per order request from one PRNG seeded with `seed`, in spec order, whether or not
 * an earlier spec already hit — so the hits depend on the seed and the request order alone.
 */
export function faultPlanFromSpecs(specs: readonly FaultSpec[], seed: number): FaultPlan {
  const rand = seededRandom(seed);
  return {
    decide(req) {
      if (req.kind !== 'order.create' || req.orderSeq === undefined) return undefined;
      let hit: FaultAction | undefined;
      for (const s of specs) {
        const fires = 'at' in s.schedule ? s.schedule.at === req.orderSeq : rand() < s.schedule.probability;
        if (fires && hit === undefined) hit = { type: 'fault', kind: s.kind, params: s.params };
      }
      return hit;
    },
  };
}
