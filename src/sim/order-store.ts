/**
 * Every order the venue ever accepted, so that fetchOrder tells the truth about finished orders too.
 *
 * A run can accept millions of orders, so rows are columnar, in chunks of typed arrays, with the client
 * id kept as a number where it can be: about 35 bytes an order (43 with limit orders) against ~300 for
 * keeping the order objects, no copying as the store grows, and nothing for the GC to scan.
 * Open orders live as SimOrder objects elsewhere; their row is completed when they finish.
 */
import type { MarketSymbol, OrderSnapshot, OrderStatus, VenueId } from '../domain/types.ts';
import type { SimOrder } from './sim-order.ts';

const STATUSES: readonly OrderStatus[] = ['open', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected'];
const STATUS_CODE = new Map<OrderStatus, number>(STATUSES.map((s, i) => [s, i]));
const SELL = 1;
const LIMIT = 2;

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** The rows of CHUNK orders. Chunks are never copied or resized: the store grows a chunk at a time. */
class RowChunk {
  /** bit 0: sell, bit 1: limit, bits 2+: status code. */
  readonly meta = new Uint8Array(CHUNK);
  readonly symbol = new Uint16Array(CHUNK);
  readonly idNums = new Float64Array(CHUNK);
  readonly quantity = new Float64Array(CHUNK);
  readonly filled = new Float64Array(CHUNK);
  readonly updated = new Float64Array(CHUNK);
  /** Limit prices, allocated with the chunk's first limit order (market-order runs need none). */
  price: Float64Array | undefined;
}

export class OrderStore {
  private readonly venue: VenueId;
  private n = 0;
  private readonly chunks: RowChunk[] = [];
  /**
   * Client ids, compactly: ids of the form `<prefix><base-36 number>` (what ClientIdFactory makes,
   * `tf1a2b3c-2s`) keep only the number, for the prefix of the first such id; any other id is kept
   * whole in `otherIds`. A million ids cost 8 MB instead of ~40 MB of strings.
   */
  private idPrefix: string | undefined;
  private readonly otherIds = new Map<number, string>();
  private readonly symbolIds = new Map<MarketSymbol, number>();
  private readonly symbols: MarketSymbol[] = [];
  /** clientId → seq, built only when a lookup by client id needs it (latest use of an id wins). */
  private readonly byClientId = new Map<string, number>();
  private indexed = 0;

  constructor(venue: VenueId) {
    this.venue = venue;
  }

  /** Number of orders accepted so far; the next one gets seq = size + 1. */
  get size(): number {
    return this.n;
  }

  add(o: SimOrder): void {
    if (o.seq !== this.n + 1) throw new RangeError(`order store: expected seq ${this.n + 1}, got ${o.seq}`);
    const i = this.n++;
    if (i >>> CHUNK_BITS === this.chunks.length) this.chunks.push(new RowChunk());
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const j = i & (CHUNK - 1);
    let sym = this.symbolIds.get(o.symbol);
    if (sym === undefined) {
      sym = this.symbols.push(o.symbol) - 1;
      this.symbolIds.set(o.symbol, sym);
    }
    this.storeClientId(c, j, i, o.clientId);
    c.symbol[j] = sym;
    c.quantity[j] = o.quantity;
    if (o.type === 'limit') (c.price ??= new Float64Array(CHUNK))[j] = o.price ?? Number.NaN;
    this.write(i, o, 0);
  }

  /** Records the final state of `o`; `filled` is its filled quantity. */
  close(o: SimOrder, filled: number): void {
    this.write(o.seq - 1, o, filled);
  }

  clientIdOf(seq: number): string | undefined {
    if (!(Number.isInteger(seq) && seq >= 1 && seq <= this.n)) return undefined;
    const i = seq - 1;
    const num = this.chunks[i >>> CHUNK_BITS]!.idNums[i & (CHUNK - 1)]!;
    return Number.isNaN(num) ? this.otherIds.get(i) : `${this.idPrefix}${num.toString(36)}`;
  }

  seqOf(clientId: string): number | undefined {
    for (; this.indexed < this.n; this.indexed++) this.byClientId.set(this.clientIdOf(this.indexed + 1)!, this.indexed + 1);
    return this.byClientId.get(clientId);
  }

  /** The stored row of order `seq` (for open orders, the state at acceptance). */
  snapshot(seq: number): OrderSnapshot | undefined {
    const clientId = this.clientIdOf(seq);
    if (clientId === undefined) return undefined;
    const i = seq - 1;
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const j = i & (CHUNK - 1);
    const meta = c.meta[j]!;
    const snap: OrderSnapshot = {
      clientId,
      exchangeId: `${this.venue}-${seq}`,
      venue: this.venue,
      symbol: this.symbols[c.symbol[j]!]!,
      side: meta & SELL ? 'sell' : 'buy',
      type: meta & LIMIT ? 'limit' : 'market',
      quantity: c.quantity[j]!,
      filled: c.filled[j]!,
      status: STATUSES[meta >> 2]!,
      ts: c.updated[j]!,
    };
    return meta & LIMIT ? { ...snap, price: c.price![j]! } : snap;
  }

  /** Stores row i's client id as a number after the shared prefix when it is exactly that, else whole. */
  private storeClientId(c: RowChunk, j: number, i: number, id: string): void {
    const dash = id.lastIndexOf('-');
    if (dash >= 0 && dash < id.length - 1) {
      const prefix = id.slice(0, dash + 1);
      this.idPrefix ??= prefix;
      if (prefix === this.idPrefix) {
        const num = canonicalBase36(id, dash + 1);
        if (num >= 0) {
          c.idNums[j] = num;
          return;
        }
      }
    }
    c.idNums[j] = Number.NaN;
    this.otherIds.set(i, id);
  }

  private write(i: number, o: SimOrder, filled: number): void {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    const j = i & (CHUNK - 1);
    c.meta[j] = (o.side === 'sell' ? SELL : 0) | (o.type === 'limit' ? LIMIT : 0) | (STATUS_CODE.get(o.status)! << 2);
    c.filled[j] = filled;
    c.updated[j] = o.updatedTs;
  }
}

/**
 * The value of `s` from `from` on as a base-36 number when `num.toString(36)` would print exactly those
 * characters (lower case, no leading zero, at most 10 digits so the value is exact), else −1.
 */
function canonicalBase36(s: string, from: number): number {
  const n = s.length - from;
  if (n < 1 || n > 10 || (n > 1 && s.charCodeAt(from) === 48)) return -1;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 36 + d;
  }
  return v;
}
