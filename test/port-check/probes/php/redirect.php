<?php
// Location: 302 unless a 201 or 3xx status was set; an explicit code wins.
$to = $_GET['to'] ?? 'target';
if ($to === 'permanent') {
    header('Location: /redirect.php?to=target', true, 301);
} elseif ($to === 'created') {
    http_response_code(201);
    header('Location: /redirect.php?to=target');
} elseif ($to === 'see-other') {
    header('Location: /redirect.php?to=target', true, 303);
    echo 'moved';
} elseif ($to === 'target') {
    echo 'arrived';
} else {
    header('Location: /redirect.php?to=target');
}
