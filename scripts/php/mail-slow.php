<?php
// The article's first script: the visitor waits until the mail is sent.
$to = $_POST['email'];

if ($to) {
    mail($to, 'Подтверждение', 'Это Ваш ящик?');
    echo 'Подтверждение было отправлено на почту';
} else {
    echo 'Вы не ввели все необходимые данные';
}
