<?php
// Headers and cookies: replacing, adding, removing, the status code, and every setcookie() attribute.
header('X-Probe: first');
header('X-Probe: second', false);
header('X-Removed: soon');
header_remove('X-Removed');
header('X-Replaced: old');
header('X-Replaced: new');
http_response_code(201);
setcookie('plain', 'a value with spaces');
setcookie('full', 'v', ['expires' => time() + 3600, 'path' => '/probes', 'domain' => 'example.test', 'secure' => true, 'httponly' => true, 'samesite' => 'Lax']);
setrawcookie('raw', 'a%20b');
setcookie('gone', '', time() - 3600);
header('Content-Type: text/plain; charset=ISO-8859-1');
echo implode("\n", headers_list()), "\n";
