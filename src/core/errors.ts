/**
 * The error tree. One base class with a machine-readable `kind`, a `cause` and structured `info`.
 * Risk denials are events, not exceptions; these are for things that stop a run or a request.
 */
export type ErrorInfo = Readonly<Record<string, unknown>>;

export class TradeflowError extends Error {
  readonly kind: string = 'tradeflow';
  readonly info: ErrorInfo;
  constructor(message: string, info: ErrorInfo = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.info = info;
  }
}

/** A scenario file or CLI flag is wrong. `info.field` names the field. */
export class ConfigError extends TradeflowError {
  override readonly kind = 'config';
}

/** An input file is missing or malformed. The message names file, line and field. */
export class DataError extends TradeflowError {
  override readonly kind = 'data';
  static at(file: string, line: number | undefined, reason: string, field?: string): DataError {
    const where = line === undefined ? file : `${file}:${line}`;
    const what = field ? `field "${field}": ${reason}` : reason;
    return new DataError(`${where}: ${what}`, { file, line, field, reason });
  }
}

/** An order event that the state machine does not allow. A bug or a venue we misunderstood. */
export class TransitionError extends TradeflowError {
  override readonly kind = 'transition';
}

/** A driver call failed in a way that may succeed later (network, rate limit, clock skew). */
export class DriverTransientError extends TradeflowError {
  override readonly kind = 'driver-transient';
}

/** The venue (or a local pre-check mirroring it) refused an order. Final: never retried. */
export class VenueRejectedError extends TradeflowError {
  override readonly kind = 'venue-rejected';
}

/** An invariant of the run was broken (balances do not reconcile, a fill applied twice...). */
export class InvariantError extends TradeflowError {
  override readonly kind = 'invariant';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
