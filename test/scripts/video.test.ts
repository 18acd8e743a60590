import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer, tempDir, type TestServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';

const scriptsDir = fileURLToPath(new URL('../../scripts/', import.meta.url));

describe('the video example (scripts/video/)', () => {
  let s: TestServer;
  let uploads: string;
  const saved = { dir: process.env.TSFPM_VIDEO_DIR, pause: process.env.TSFPM_VIDEO_PAUSE_MS };
  before(async () => {
    process.env.TSFPM_VIDEO_DIR = tempDir({}, 'tsfpm-video-');
    process.env.TSFPM_VIDEO_PAUSE_MS = '60';
    uploads = tempDir({}, 'tsfpm-uploads-');
    s = await startServer(scriptsDir, { ini: { upload_tmp_dir: uploads } });
  });
  after(async () => {
    await s.close();
    process.env.TSFPM_VIDEO_DIR = saved.dir;
    process.env.TSFPM_VIDEO_PAUSE_MS = saved.pause;
  });

  it('answers first, then processes the upload in the background with visible progress', async () => {
    const video = randomBytes(1024 * 1024);
    const form = new FormData();
    form.append('video', new Blob([video], { type: 'video/mp4' }), 'clip.mp4');
    const res = await fetch(`${s.url}/video/upload.php`, { method: 'POST', body: form });
    const answer = (await res.json()) as { id: string; message: string };
    expect(res.status).to.equal(200);
    expect(answer.message).to.equal('Thank you, the video is being processed');

    const progress = new Set<number>();
    let status: { state: string; progress: number; sha256?: string; size: number } | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      status = (await (await fetch(`${s.url}/video/status.php?id=${answer.id}`)).json()) as typeof status;
      progress.add(status!.progress);
      if (status!.state === 'done' || status!.state === 'failed') break;
      await sleep(40);
    }
    expect(status!.state).to.equal('done');
    expect(status!.size).to.equal(video.length);
    expect(status!.sha256).to.equal(createHash('sha256').update(video).digest('hex'));
    // polled after the answer, the 16 paced chunks were seen part-done: the answer did not wait for them
    expect([...progress].filter((p) => p > 0 && p < 100)).to.have.length.greaterThan(1);
    expect(existsSync(process.env.TSFPM_VIDEO_DIR!)).to.equal(true);
  });

  it('leaves no upload temp file behind', async () => {
    await sleep(100);
    expect(readdirSync(uploads)).to.deep.equal([]);
  });

  it('answers 400 without a file', async () => {
    const res = await fetch(`${s.url}/video/upload.php`, { method: 'POST', body: new FormData() });
    expect(res.status).to.equal(400);
  });

  it('answers 404 JSON for an unknown id', async () => {
    const res = await fetch(`${s.url}/video/status.php?id=../../etc`);
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.equal('application/json');
  });
});
