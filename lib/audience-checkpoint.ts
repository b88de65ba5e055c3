import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';

/*
 * The audience snapshot's documents saved to a file, so that a process
 * starting again reads them from its disk in seconds rather than every person
 * from the database (a minute at 100K people), then catches up from the
 * audience feed. The file is a run of frames, each a v8-serialized value
 * behind its length: a header, the documents a thousand at a time, and an end
 * frame. It is written under a temporary name and renamed, so a reader finds
 * a whole file or the one before (and keeps reading the one it opened); it
 * holds personal data and is readable by this user only.
 */

/** The saved copy in `dir`. */
export const checkpointFile = (dir: string) => path.join(dir, 'audience-snapshot.bin');
const LENGTH_BYTES = 4;

export interface CheckpointHeader {
  /** What the documents are (their projections): a file of another shape is not read. */
  format: string;
  /** Every write acknowledged before this moment is in the file. */
  asOfMs: number;
  /** The feed's notes of the slots read again after `asOfMs` that the file already holds (note id, slot). */
  known: [string, number][];
  /** The feed note filed when it was saved: a database without it is not the one the file was read from. */
  noteId: string;
}

export type CheckpointSection = 'accounts' | 'people' | 'groups';

export interface CheckpointFrame {
  section: CheckpointSection;
  docs: object[];
}

type Frame = CheckpointHeader | CheckpointFrame | { end: true };

export async function saveCheckpoint(dir: string, header: CheckpointHeader, frames: Iterable<CheckpointFrame>): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = checkpointFile(dir);
  const temporary = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    const write = async (frame: Frame) => {
      const body = serialize(frame);
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt32LE(body.length);
      await file.writev([length, body]);
    };
    await write(header);
    // Each frame is serialized after the previous one is written: the event loop runs between them.
    for (const frame of frames) await write(frame);
    await write({ end: true });
    await file.sync();
    await file.close();
    await rename(temporary, target);
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw err;
  }
}

export interface SavedCheckpoint {
  header: CheckpointHeader;
  /** The documents, in the order they were saved; throws when the file ends before its end frame. */
  frames(): AsyncGenerator<CheckpointFrame>;
  close(): Promise<void>;
}

/** The saved copy, open at its header; undefined when there is none. */
export async function openCheckpoint(dir: string): Promise<SavedCheckpoint | undefined> {
  const file = await open(checkpointFile(dir), 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!file) return undefined;
  const first = await readFrame(file, 0).catch(async (err) => {
    await file.close();
    throw err;
  });
  if (!first) {
    await file.close();
    return undefined;
  }
  return {
    header: first.frame as CheckpointHeader,
    async *frames() {
      let position = first.next;
      for (;;) {
        const read = await readFrame(file, position);
        if (!read) throw new Error('the audience checkpoint ends before its end frame');
        if ('end' in read.frame) return;
        position = read.next;
        yield read.frame as CheckpointFrame;
      }
    },
    close: () => file.close(),
  };
}

/** The saved header, or undefined when there is no file. */
export async function checkpointHeader(dir: string): Promise<CheckpointHeader | undefined> {
  const saved = await openCheckpoint(dir);
  await saved?.close();
  return saved?.header;
}

async function readFrame(file: FileHandle, position: number): Promise<{ frame: Frame; next: number } | undefined> {
  const length = Buffer.alloc(LENGTH_BYTES);
  if ((await file.read(length, 0, LENGTH_BYTES, position)).bytesRead < LENGTH_BYTES) return undefined;
  const body = Buffer.alloc(length.readUInt32LE());
  if ((await file.read(body, 0, body.length, position + LENGTH_BYTES)).bytesRead < body.length) return undefined;
  return { frame: deserialize(body) as Frame, next: position + LENGTH_BYTES + body.length };
}
