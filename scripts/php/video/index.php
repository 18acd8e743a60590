<?php // The upload page: a form, then a progress bar fed by status.php. ?>
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Video upload</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}progress{width:100%}</style></head>
<body>
<h1>Upload a video</h1>
<form id="f" method="post" action="upload.php" enctype="multipart/form-data">
  <input type="file" name="video" required> <button>Upload</button>
</form>
<p id="msg"></p><progress id="bar" max="100" value="0" hidden></progress><pre id="result"></pre>
<script>
const form = document.getElementById('f');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch(form.action, { method: 'POST', body: new FormData(form) });
  if (!res.ok) { document.getElementById('msg').textContent = await res.text(); return; }
  const { id, message } = await res.json();
  document.getElementById('msg').textContent = message;
  const bar = document.getElementById('bar');
  bar.hidden = false;
  for (;;) {
    const status = await (await fetch('status.php?id=' + id)).json();
    bar.value = status.progress;
    if (status.state === 'done' || status.state === 'failed') {
      document.getElementById('result').textContent = JSON.stringify(status, null, 2);
      break;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
});
</script>
</body></html>
