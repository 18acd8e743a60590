<?php
// The page the tool's own specs plant defects in (a copy of ts/page.ts is changed, this original never).
session_start();
$_SESSION['user'] = 'ann';
$_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;
setcookie('theme', 'dark', ['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
header('X-Page: 1');
echo "Hello, ann\n";
echo "visit ", $_SESSION['visits'], "\n";
