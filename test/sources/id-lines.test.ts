import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdLines } from '../../src/sources/id-lines.ts';

describe('IdLines', () => {
  it('answers exactly as a Map of first lines would, for any ids (ASCII, Latin-1 or wider)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 4 }), fc.constantFrom('a1', 'b2', '')), { maxLength: 300 }), (ids) => {
        const set = new IdLines();
        const ref = new Map<string, number>();
        ids.forEach((id, line) => {
          expect(set.get(id)).toBe(ref.get(id));
          if (!ref.has(id)) {
            ref.set(id, line);
            set.set(id, line);
          }
        });
        expect(set.size).toBe(ref.size);
        for (const [id, line] of ref) expect(set.get(id)).toBe(line);
      }),
    );
  });

  it('holds a hundred thousand ids through several growths of its table and arena', () => {
    const set = new IdLines();
    for (let i = 0; i < 100_000; i++) set.set(`sig-${i}`, i + 2);
    expect(set.size).toBe(100_000);
    expect(set.get('sig-0')).toBe(2);
    expect(set.get('sig-99999')).toBe(100_001);
    expect(set.get('sig-100000')).toBeUndefined();
    expect(set.get('sig-1234')).toBe(1236);
  });
});
