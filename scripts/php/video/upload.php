<?php
// Upload handler: answers at once, then processes the file in the background.
require __DIR__ . '/processing.php';

$upload = $_FILES['video'] ?? null;
if (!$upload || $upload['error'] !== UPLOAD_ERR_OK) {
    http_response_code(400);
    echo 'No video was uploaded (error ', $upload['error'] ?? 'missing', ')';
    return;
}
$id = bin2hex(random_bytes(8));
$work = video_dir() . "/$id.upload";
save_status(['id' => $id, 'name' => $upload['name'], 'state' => 'queued', 'progress' => 0, 'size' => $upload['size']]);
if (!move_uploaded_file($upload['tmp_name'], $work)) {
    http_response_code(500);
    echo 'Could not store the upload';
    return;
}
header('Content-Type: application/json');
echo json_encode(['id' => $id, 'message' => 'Thank you, the video is being processed']);
fastcgi_finish_request();

$status = ['id' => $id, 'name' => $upload['name'], 'state' => 'processing', 'progress' => 0, 'size' => $upload['size']];
$pause = getenv('TSFPM_VIDEO_PAUSE_MS');
process_video($status, $work, (int) ($pause === false ? 20 : $pause));
