// Uploads in PHP's shapes: one file, a list of files (doc[]), with form fields beside them; as JSON.
import { $_FILES, $_POST, echo, header } from 'tsfpm';

export default function (): void {
  header('Content-Type: application/json');
  echo(JSON.stringify({ files: $_FILES, post: $_POST }));
}
