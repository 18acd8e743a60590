<?php
// The video example's background work and its status records. Processing reads the upload in
// chunks, hashes it and measures its byte entropy, and records progress as it goes, so the page
// that polls status.php sees it move.

/** Where status records live: TSFPM_VIDEO_DIR, or a folder in the system temp dir. */
function video_dir(): string
{
    return getenv('TSFPM_VIDEO_DIR') ?: sys_get_temp_dir() . '/tsfpm-video';
}

function record_path(string $id): string
{
    return video_dir() . "/$id.json";
}

function save_status(array $status): void
{
    if (!is_dir(video_dir())) {
        mkdir(video_dir(), 0777, true);
    }
    $tmp = record_path($status['id']) . '.tmp';
    file_put_contents($tmp, json_encode($status));
    rename($tmp, record_path($status['id'])); // readers never see half a record
}

function load_status(string $id): ?array
{
    if (!preg_match('/^[a-f0-9]{16}$/', $id)) {
        return null;
    }
    $json = @file_get_contents(record_path($id));
    return $json === false ? null : json_decode($json, true);
}

const CHUNK = 64 * 1024;

/** Hashes and analyses $file, saving progress after each chunk; $pauseMs paces it so progress is visible. */
function process_video(array $status, string $file, int $pauseMs): array
{
    $handle = @fopen($file, 'rb');
    if ($handle === false) {
        $status['state'] = 'failed';
        $status['error'] = error_get_last()['message'] ?? 'cannot open the upload';
        save_status($status);
        return $status;
    }
    $hash = hash_init('sha256');
    $counts = [];
    $done = 0;
    $status['state'] = 'processing';
    while (($chunk = fread($handle, CHUNK)) !== false && $chunk !== '') {
        hash_update($hash, $chunk);
        foreach (count_chars($chunk, 1) as $byte => $n) {
            $counts[$byte] = ($counts[$byte] ?? 0) + $n;
        }
        $done += strlen($chunk);
        $status['progress'] = $status['size'] ? (int) floor($done / $status['size'] * 100) : 100;
        save_status($status);
        if ($pauseMs > 0) {
            usleep($pauseMs * 1000);
        }
    }
    fclose($handle);
    $entropy = 0.0;
    foreach ($counts as $c) {
        $entropy -= ($c / $done) * log($c / $done, 2);
    }
    $status['state'] = 'done';
    $status['progress'] = 100;
    $status['sha256'] = hash_final($hash);
    $status['entropy'] = round($entropy, 3);
    save_status($status);
    return $status;
}
