// What a script sees of its request: each superglobal, one key per line.
import { $_COOKIE, $_FILES, $_GET, $_POST, $_REQUEST, $_SERVER, echo, file_get_contents, header } from 'tsfpm';

interface Upload {
  name: string;
  type: string;
  size: number;
  error: number;
  tmp_name: string;
}

export default function (): void {
  header('Content-Type: text/plain');
  for (const [name, vars] of Object.entries({ GET: $_GET, POST: $_POST, COOKIE: $_COOKIE, REQUEST: $_REQUEST })) {
    for (const [key, value] of Object.entries(vars)) {
      echo(name, ' ', key, '=', typeof value === 'object' ? JSON.stringify(value) : String(value), '\n');
    }
  }
  for (const [field, file] of Object.entries($_FILES as Record<string, Upload>)) {
    echo('FILES ', field, ' ', file.name, ' ', file.type, ' ', String(file.size), ' ', String(file.error), ' ', file.tmp_name, '\n');
  }
  for (const key of ['REQUEST_METHOD', 'REQUEST_URI', 'QUERY_STRING', 'SCRIPT_NAME', 'PHP_SELF', 'CONTENT_TYPE', 'CONTENT_LENGTH', 'HTTP_X_PROBE']) {
    echo('SERVER ', key, '=', String($_SERVER[key] ?? '(unset)'), '\n');
  }
  echo('INPUT ', String(file_get_contents('php://input')), '\n');
}
