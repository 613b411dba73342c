/** Shared helpers for the input-stream tests: temp files, draining sources, catching DataErrors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/core/errors.ts';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures/inputs');
export const SHARED_DATA = resolve(import.meta.dirname, '../../../shared/data');

let dir: string | undefined;
/** Writes `content` to a fresh temp dir under `name` (gzipped when the name ends in .gz). */
export function tmpFile(name: string, content: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tradeflow-inputs-'));
  const path = join(dir, name);
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(content) : content);
  return path;
}

/** Drains a batched source into one array. */
export async function drain<T>(source: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of source) out.push(...batch);
  return out;
}

/** Drains a source and returns the DataError it fails with (fails the test if it does not). */
export async function dataErrorOf(source: AsyncIterable<unknown[]>): Promise<DataError> {
  try {
    await drain(source);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected the source to fail with a DataError, but it completed');
}

/** An in-memory batched source that counts how many batches were pulled. */
export function countingSource<T>(batches: T[][]): { source: AsyncIterable<T[]>; pulls: () => number; closed: () => boolean } {
  let pulls = 0;
  let closed = false;
  async function* gen(): AsyncGenerator<T[]> {
    try {
      for (const b of batches) {
        pulls++;
        yield b;
      }
    } finally {
      closed = true;
    }
  }
  return { source: gen(), pulls: () => pulls, closed: () => closed };
}
