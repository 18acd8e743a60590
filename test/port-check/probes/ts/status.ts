// Status lines: codes with PHP's reason phrases, a reason of the script's own, and the code after a header().
import { $_GET, echo, header, http_response_code } from 'tsfpm';

export default function (): void {
  const code = String($_GET['code'] ?? '200');
  if (code === 'custom') {
    header('HTTP/1.1 404 Nothing Here');
  } else if (code === 'location-then-code') {
    header('Location: /status.php');
    http_response_code(307);
  } else {
    http_response_code(Number.parseInt(code, 10));
  }
  echo('code ', String(http_response_code()), '\n');
}
