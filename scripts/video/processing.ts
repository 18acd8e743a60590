// The video example's background work and its status records. Processing reads the upload in
// chunks, hashes it and measures its byte entropy, and records progress as it goes, so the page
// that polls status.php sees it move.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface VideoStatus {
  id: string;
  name: string;
  state: 'queued' | 'processing' | 'done' | 'failed';
  progress: number;
  size: number;
  sha256?: string;
  entropy?: number;
  error?: string;
}

/** Where status records live: TSFPM_VIDEO_DIR, or a folder in the system temp dir. */
export const videoDir = (): string => process.env.TSFPM_VIDEO_DIR || join(tmpdir(), 'tsfpm-video');

const recordPath = (id: string): string => join(videoDir(), `${id}.json`);

export function saveStatus(status: VideoStatus): void {
  mkdirSync(videoDir(), { recursive: true });
  const tmp = `${recordPath(status.id)}.tmp`;
  writeFileSync(tmp, JSON.stringify(status));
  renameSync(tmp, recordPath(status.id)); // readers never see half a record
}

export function loadStatus(id: string): VideoStatus | undefined {
  if (!/^[a-f0-9]{16}$/.test(id)) return undefined;
  try {
    return JSON.parse(readFileSync(recordPath(id), 'utf8')) as VideoStatus;
  } catch {
    return undefined;
  }
}

const CHUNK = 64 * 1024;

/** Hashes and analyses `file`, saving progress after each chunk; `pauseMs` paces it so progress is visible. */
export async function processVideo(status: VideoStatus, file: string, pauseMs: number): Promise<VideoStatus> {
  const hash = createHash('sha256');
  const counts = new Float64Array(256);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    let done = 0;
    status.state = 'processing';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, done);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      for (const byte of chunk) counts[byte]! += 1;
      done += bytesRead;
      status.progress = status.size ? Math.floor((done / status.size) * 100) : 100;
      saveStatus(status);
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
    let entropy = 0;
    for (const c of counts) if (c > 0) entropy -= (c / done) * Math.log2(c / done);
    Object.assign(status, { state: 'done', progress: 100, sha256: hash.digest('hex'), entropy: Math.round(entropy * 1000) / 1000 });
  } catch (err) {
    Object.assign(status, { state: 'failed', error: (err as Error).message });
  } finally {
    await handle.close();
  }
  saveStatus(status);
  return status;
}
