// Upload handler: answers at once, then processes the file in the background.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { $_FILES, echo, fastcgi_finish_request, header, http_response_code, move_uploaded_file, UPLOAD_ERR_OK } from 'tsfpm';
import { processVideo, saveStatus, videoDir, type VideoStatus } from './processing.ts';

interface Upload {
  name: string;
  tmp_name: string;
  error: number;
  size: number;
}

export default async function (): Promise<void> {
  const upload = $_FILES['video'] as Upload | undefined;
  if (!upload || upload.error !== UPLOAD_ERR_OK) {
    http_response_code(400);
    echo('No video was uploaded (error ', upload?.error ?? 'missing', ')');
    return;
  }
  const id = randomBytes(8).toString('hex');
  const work = join(videoDir(), `${id}.upload`);
  saveStatus({ id, name: upload.name, state: 'queued', progress: 0, size: upload.size });
  if (!move_uploaded_file(upload.tmp_name, work)) {
    http_response_code(500);
    echo('Could not store the upload');
    return;
  }
  header('Content-Type: application/json');
  echo(JSON.stringify({ id, message: 'Thank you, the video is being processed' }));
  await fastcgi_finish_request();

  const status: VideoStatus = { id, name: upload.name, state: 'processing', progress: 0, size: upload.size };
  await processVideo(status, work, Number(process.env.TSFPM_VIDEO_PAUSE_MS ?? 20));
}
