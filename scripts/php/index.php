<?php // The examples' start page: the two mail scripts of the source article and the video upload. ?>
<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>tsfpm examples</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}form{margin:1rem 0;padding:1rem;border:1px solid #ccc;border-radius:6px}</style>
</head>
<body>
<h1>tsfpm examples</h1>
<p>Ported line for line from PHP. Both forms send a confirmation mail; the fast one answers first and mails afterwards,
with <code>fastcgi_finish_request()</code>.</p>
<form method="post" action="mail-slow.php"><h2>Slow: mail, then answer</h2>
<label>E-mail <input type="email" name="email"></label> <button>Send</button></form>
<form method="post" action="mail-fast.php"><h2>Fast: answer, then mail</h2>
<label>E-mail <input type="email" name="email"></label> <button>Send</button></form>
<p><a href="video/">Video upload</a>: the answer comes at once, the processing runs in the background.</p>
<p><a href="/_tsfpm/mail">Mail spool</a> (the dev server keeps sent mail here).</p>
</body></html>
