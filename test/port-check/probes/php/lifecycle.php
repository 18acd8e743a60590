<?php
// The end of a script: shutdown functions in order, output buffers flushed at the end, exit() with a message.
register_shutdown_function(function () {
    echo "shutdown 1\n";
});
register_shutdown_function(function () {
    echo "shutdown 2, level ", ob_get_level(), "\n";
});
ob_start();
echo "in a buffer\n";
if (($_GET['how'] ?? '') === 'exit') {
    exit("exit message\n");
}
echo "end of script\n";
