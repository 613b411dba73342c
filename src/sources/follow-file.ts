/**
 * `tail -f` as an async iterable: yields what is appended to a file, from its start (or its current
 * end), until the abort signal fires. Polls the size instead of trusting fs.watch, which misses
 * events on some filesystems; a truncated file is read again from the start.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  /** Start at the current end (only new lines), instead of the beginning. */
  readonly fromEnd?: boolean;
}

export async function* followFile(file: string, opts: FollowOptions): AsyncGenerator<Buffer> {
  const pollMs = opts.pollMs ?? 200;
  let pos = opts.fromEnd ? (await stat(file)).size : 0;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    while (!opts.signal.aborted) {
      const size = (await fh.stat()).size;
      if (size < pos) pos = 0;
      if (size > pos) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
        pos += bytesRead;
        yield Buffer.from(buf.subarray(0, bytesRead));
        continue;
      }
      try {
        await sleep(pollMs, undefined, { signal: opts.signal });
      } catch {
        return;
      }
    }
  } finally {
    await fh.close();
  }
}
