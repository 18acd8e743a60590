<?php
// A session through a sequence: a counter, a list, a new ID, and the end.
session_start();
$action = $_GET['action'] ?? 'count';
if ($action === 'count') {
    $_SESSION['count'] = ($_SESSION['count'] ?? 0) + 1;
} elseif ($action === 'add') {
    $_SESSION['cart'][] = $_POST['item'];
} elseif ($action === 'regenerate') {
    session_regenerate_id(true);
} elseif ($action === 'destroy') {
    $_SESSION = [];
    session_destroy();
}
header('Content-Type: text/plain');
echo 'id ', session_id(), "\n";
echo 'count ', $_SESSION['count'] ?? 0, "\n";
echo 'cart ', implode(',', $_SESSION['cart'] ?? []), "\n";
