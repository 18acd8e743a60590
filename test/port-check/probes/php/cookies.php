<?php
// Cookies both ways: setcookie() with names and values PHP encodes, a raw Set-Cookie header, and what comes back.
setcookie('arr[x]', '1');
setcookie('utf', 'привет');
setcookie('empty', '');
setcookie('zero', '0', 0, '', '', false, true);
header('Set-Cookie: manual=1; Path=/', false);
header('Content-Type: text/plain');
foreach ($_COOKIE as $name => $value) {
    echo $name, '=', is_array($value) ? json_encode($value) : $value, "\n";
}
