/**
 * A report directory that either appears complete or not at all.
 *
 * Files are written into a sibling temp directory (`${outDir}.tmp-<pid>[-<thread>]`, same filesystem
 * so the rename is atomic) and published by renaming it into place only after every file is written
 * and fsynced. An existing `outDir` is moved aside first (`.old-<pid>`) and deleted only after the new
 * one is in place; if publishing fails, it is moved back.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

export interface StagingDir {
  /** Absolute outDir. */
  readonly target: string;
  /** Where the files are written before publishing. */
  readonly tmp: string;
  /** Where an existing outDir waits until the new one is in place. */
  readonly aside: string;
}

/** Creates a fresh, empty temp directory beside `outDir` (and `outDir`'s parents). */
export async function createStagingDir(outDir: string): Promise<StagingDir> {
  const target = resolve(outDir);
  // Worker threads share the pid; a sweep may write from several at once, so they get their own names.
  const suffix = threadId === 0 ? `${process.pid}` : `${process.pid}-${threadId}`;
  const dir = { target, tmp: `${target}.tmp-${suffix}`, aside: `${target}.old-${suffix}` };
  await mkdir(dirname(target), { recursive: true });
  await rm(dir.tmp, { recursive: true, force: true }); // left by a crashed process that had our pid
  await mkdir(dir.tmp);
  return dir;
}

/** Renames `tmp` to `target`, replacing an existing `target` only once the new one is in place. */
export async function publishStagingDir(dir: StagingDir, fsync: boolean): Promise<void> {
  const { tmp, target, aside } = dir;
  if (fsync) await syncDir(tmp);
  await rm(aside, { recursive: true, force: true });
  let movedAside = false;
  try {
    await rename(target, aside);
    movedAside = true;
  } catch (err) {
    if (!isCode(err, 'ENOENT')) throw err;
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    // Put the previous reports back so a failed publish leaves outDir as it was.
    if (movedAside) await rename(aside, target).catch(() => undefined);
    throw err;
  }
  if (fsync) await syncDir(dirname(target));
  // The new reports are published: failing to delete the old ones must not fail the write. A leftover
  // is removed by the next publish to this outDir (see the `rm(aside)` above).
  if (movedAside) await rm(aside, { recursive: true, force: true }).catch(() => undefined);
}

/** Removes the temp directory and whatever was written into it. */
export async function discardStagingDir(dir: StagingDir): Promise<void> {
  await rm(dir.tmp, { recursive: true, force: true });
}

/** fsync a directory so the renames in it survive a crash; not supported everywhere (Windows), so best effort. */
async function syncDir(path: string): Promise<void> {
  try {
    const fh = await open(path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Durability is a bonus here; atomicity comes from the rename.
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
