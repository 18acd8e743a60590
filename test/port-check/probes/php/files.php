<?php
// Uploads in PHP's shapes: one file, a list of files (doc[]), with form fields beside them; as JSON.
header('Content-Type: application/json');
echo json_encode(['files' => $_FILES, 'post' => $_POST]);
