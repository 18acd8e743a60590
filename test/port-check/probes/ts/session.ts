// A session through a sequence: a counter, a list, a new ID, and the end.
import { $_GET, $_POST, $_SESSION, echo, header, session_destroy, session_id, session_regenerate_id, session_start } from 'tsfpm';

export default async function (): Promise<void> {
  await session_start();
  const action = String($_GET['action'] ?? 'count');
  if (action === 'count') {
    $_SESSION['count'] = (($_SESSION['count'] as number | undefined) ?? 0) + 1;
  } else if (action === 'add') {
    $_SESSION['cart'] = [...(($_SESSION['cart'] as string[] | undefined) ?? []), String($_POST['item'])];
  } else if (action === 'regenerate') {
    await session_regenerate_id(true);
  } else if (action === 'destroy') {
    for (const key of Object.keys($_SESSION)) delete $_SESSION[key];
    await session_destroy();
  }
  header('Content-Type: text/plain');
  echo('id ', String(session_id()), '\n');
  echo('count ', String($_SESSION['count'] ?? 0), '\n');
  echo('cart ', (($_SESSION['cart'] as string[] | undefined) ?? []).join(','), '\n');
}
