<?php
// The article's second script: the answer goes out at once, the mail afterwards.
$to = $_POST['email'];

if ($to) {
    echo 'Подтверждение было отправлено на почту';
    fastcgi_finish_request();
    mail($to, 'Подтверждение', 'Это Ваш ящик?');
} else {
    echo 'Вы не ввели все необходимые данные';
}
