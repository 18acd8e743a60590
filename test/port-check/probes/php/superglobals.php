<?php
// What a script sees of its request: each superglobal, one key per line.
header('Content-Type: text/plain');
foreach (['GET' => $_GET, 'POST' => $_POST, 'COOKIE' => $_COOKIE, 'REQUEST' => $_REQUEST] as $name => $vars) {
    foreach ($vars as $key => $value) {
        echo $name, ' ', $key, '=', is_array($value) ? json_encode($value) : $value, "\n";
    }
}
foreach ($_FILES as $field => $file) {
    echo 'FILES ', $field, ' ', $file['name'], ' ', $file['type'], ' ', $file['size'], ' ', $file['error'], ' ', $file['tmp_name'], "\n";
}
foreach (['REQUEST_METHOD', 'REQUEST_URI', 'QUERY_STRING', 'SCRIPT_NAME', 'PHP_SELF', 'CONTENT_TYPE', 'CONTENT_LENGTH', 'HTTP_X_PROBE'] as $key) {
    echo 'SERVER ', $key, '=', $_SERVER[$key] ?? '(unset)', "\n";
}
echo 'INPUT ', file_get_contents('php://input'), "\n";
