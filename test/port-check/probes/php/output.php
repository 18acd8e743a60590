<?php
// Output buffering: nested buffers, a callback, cleaning, and a header sent after output that is still buffered.
echo "level ", ob_get_level(), "\n";
ob_start();
echo "dropped";
ob_clean();
echo "kept ";
$inner = ob_get_contents();
ob_end_flush();
echo "inner was [", $inner, "]\n";
ob_start(function ($buffer) { return strtoupper($buffer); });
echo "shouted\n";
ob_end_flush();
ob_start();
echo "twelve chars";
$length = ob_get_length();
$text = ob_get_clean();
echo "length ", $length, " of [", $text, "]\n";
header('X-After-Output: still possible');
echo "headers_sent ", headers_sent() ? 'yes' : 'no', "\n";
