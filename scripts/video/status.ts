// The status record the upload page polls: JSON, never cached.
import { $_GET, echo, header, http_response_code } from 'tsfpm';
import { loadStatus } from './processing.ts';

export default function (): void {
  header('Content-Type: application/json');
  header('Cache-Control: no-store');
  const status = loadStatus(String($_GET['id'] ?? ''));
  if (!status) {
    http_response_code(404);
    echo(JSON.stringify({ error: 'unknown id' }));
    return;
  }
  echo(JSON.stringify(status));
}
