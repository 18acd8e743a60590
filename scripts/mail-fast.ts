// The article's second script: the answer goes out at once, the mail afterwards.
import { $_POST, echo, fastcgi_finish_request, mail } from 'tsfpm';

export default async function (): Promise<void> {
  const to = $_POST['email'];

  if (to) {
    echo('Подтверждение было отправлено на почту');
    await fastcgi_finish_request();
    await mail(String(to), 'Подтверждение', 'Это Ваш ящик?');
  } else {
    echo('Вы не ввели все необходимые данные');
  }
}
