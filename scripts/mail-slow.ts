// The article's first script: the visitor waits until the mail is sent.
import { $_POST, echo, mail } from 'tsfpm';

export default async function (): Promise<void> {
  const to = $_POST['email'];

  if (to) {
    await mail(String(to), 'Подтверждение', 'Это Ваш ящик?');
    echo('Подтверждение было отправлено на почту');
  } else {
    echo('Вы не ввели все необходимые данные');
  }
}
