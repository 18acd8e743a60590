<?php
// Status lines: codes with PHP's reason phrases, a reason of the script's own, and the code after a header().
$code = $_GET['code'] ?? '200';
if ($code === 'custom') {
    header('HTTP/1.1 404 Nothing Here');
} elseif ($code === 'location-then-code') {
    header('Location: /status.php');
    http_response_code(307);
} else {
    http_response_code((int) $code);
}
echo 'code ', http_response_code(), "\n";
