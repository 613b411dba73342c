/**
 * Client order ids: `<prefix>-<sequence>` — unique per attempt, never reused (Upbit's `identifier`
 * must not repeat even for failed orders), within Binance's 36-character `[.A-Z:/a-z0-9_-]` rule.
 * The prefix identifies the run so reconciliation can find our orders at the venue.
 */
export class ClientIdFactory {
  private seq: number;
  constructor(readonly prefix: string, start = 0) {
    if (!/^[A-Za-z0-9_]{1,20}$/.test(prefix)) throw new RangeError(`client id prefix must be 1-20 of [A-Za-z0-9_], got "${prefix}"`);
    this.seq = start;
  }
  next(): string {
    this.seq += 1;
    return `${this.prefix}-${this.seq.toString(36)}`;
  }
  /** True when `clientId` was made by a factory with this prefix. */
  owns(clientId: string): boolean {
    return clientId.startsWith(`${this.prefix}-`);
  }
  get issued(): number {
    return this.seq;
  }
}
