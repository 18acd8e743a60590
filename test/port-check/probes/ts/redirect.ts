// Location: 302 unless a 201 or 3xx status was set; an explicit code wins.
import { $_GET, echo, header, http_response_code } from 'tsfpm';

export default function (): void {
  const to = String($_GET['to'] ?? 'target');
  if (to === 'permanent') {
    header('Location: /redirect.php?to=target', true, 301);
  } else if (to === 'created') {
    http_response_code(201);
    header('Location: /redirect.php?to=target');
  } else if (to === 'see-other') {
    header('Location: /redirect.php?to=target', true, 303);
    echo('moved');
  } else if (to === 'target') {
    echo('arrived');
  } else {
    header('Location: /redirect.php?to=target');
  }
}
