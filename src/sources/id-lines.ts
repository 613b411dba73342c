/**
 * The first line of every id seen, for the uniqueness check of signal ids — exact, in typed arrays.
 *
 * A `Map<string, number>` over a million ids holds a million strings and hash entries, about 64 bytes
 * an id, all of which every major GC traces. Here the ids' characters go into one growing byte arena
 * and an open-addressing table of indices finds them: about 20 bytes plus the id's length, in
 * ArrayBuffers the GC does not scan. Ids with characters above U+00FF (rare: ids are usually ASCII)
 * live in a small Map beside it; an id always lands in the same store, so lookups stay exact.
 */

const EMPTY = 0;

export class IdLines {
  /** Latin-1 characters of every stored id, back to back. */
  private chars = new Uint8Array(1 << 16);
  private used = 0;
  /** Per id (in insertion order): start in `chars`, length, hash, line. */
  private start = new Uint32Array(1024);
  private len = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  private lines = new Float64Array(1024);
  private count = 0;
  /** Open addressing, linear probing: id index + 1, or EMPTY. Kept at most half full. */
  private table = new Uint32Array(2048);
  private readonly wide = new Map<string, number>();

  get size(): number {
    return this.count + this.wide.size;
  }

  /** Line the id was first stored with, or undefined. */
  get(id: string): number | undefined {
    const h = hashOf(id);
    if (h < 0) return this.wide.get(id);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = this.table[slot]!;
      if (k === EMPTY) return undefined;
      if (this.hashes[k - 1] === h && this.equals(k - 1, id)) return this.lines[k - 1];
    }
  }

  /** Stores `id` with `line`; the caller checks `get` first (a repeated id is stored again). */
  set(id: string, line: number): void {
    const h = hashOf(id);
    if (h < 0) {
      this.wide.set(id, line);
      return;
    }
    if ((this.count + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const i = this.count++;
    if (i === this.start.length) this.growIds();
    const n = id.length;
    if (this.used + n > this.chars.length) {
      const bigger = new Uint8Array(Math.max(this.chars.length * 2, this.used + n));
      bigger.set(this.chars.subarray(0, this.used));
      this.chars = bigger;
    }
    if (this.used + n > 0xffff_ffff) throw new RangeError('id-lines: more than 4 GiB of ids');
    const chars = this.chars;
    let at = this.used;
    for (let j = 0; j < n; j++) chars[at++] = id.charCodeAt(j);
    this.start[i] = this.used;
    this.len[i] = n;
    this.used = at;
    this.hashes[i] = h;
    this.lines[i] = line;
    this.place(i, h);
  }

  private equals(i: number, id: string): boolean {
    const n = id.length;
    if (this.len[i] !== n) return false;
    const chars = this.chars;
    const s = this.start[i]!;
    for (let j = 0; j < n; j++) if (chars[s + j] !== id.charCodeAt(j)) return false;
    return true;
  }

  private place(i: number, h: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let slot = h & mask;
    while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
    table[slot] = i + 1;
  }

  private rehash(size: number): void {
    this.table = new Uint32Array(size);
    for (let i = 0; i < this.count; i++) this.place(i, this.hashes[i]!);
  }

  private growIds(): void {
    const cap = this.start.length * 2;
    const grow = <T extends Uint32Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.start = grow(this.start, new Uint32Array(cap));
    this.len = grow(this.len, new Uint32Array(cap));
    this.hashes = grow(this.hashes, new Uint32Array(cap));
    this.lines = grow(this.lines, new Float64Array(cap));
  }
}

/** FNV-1a over the UTF-16 units, as an unsigned 31-bit value; −1 when a unit is above 0xFF. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < id.length; j++) {
    const c = id.charCodeAt(j);
    if (c > 0xff) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 1;
}
