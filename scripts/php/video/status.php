<?php
// The status record the upload page polls: JSON, never cached.
require __DIR__ . '/processing.php';

header('Content-Type: application/json');
header('Cache-Control: no-store');
$status = load_status((string) ($_GET['id'] ?? ''));
if (!$status) {
    http_response_code(404);
    echo json_encode(['error' => 'unknown id']);
    return;
}
echo json_encode($status);
