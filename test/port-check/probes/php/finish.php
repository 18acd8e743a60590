<?php
// fastcgi_finish_request(): the answer goes out whole, output after it is dropped, the script goes on.
$marker = sys_get_temp_dir() . '/tsfpm-probe-finish-' . md5(__DIR__) . '-' . preg_replace('/[^a-z0-9]/', '', $_GET['id'] ?? 'x');
header('X-Before-Finish: yes');
echo "answered\n";
fastcgi_finish_request();
echo "dropped: the client has its answer\n";
header('X-After-Finish: ignored');
usleep(100000);
file_put_contents($marker, "background work done\n");
