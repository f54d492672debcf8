const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The demo page at `/`: a plain page with the widget embedded as a site owner would. */
export function demoPage(opts: { publishableKey: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}</style>
</head>
<body>
<h1>Parley demo</h1>
<p>This page embeds the Parley widget with one script tag. Open it in two windows and chat.</p>
<pre><code>&lt;script src="${esc('/widget.js')}" data-key="${esc(opts.publishableKey)}" data-room="lobby" async&gt;&lt;/script&gt;</code></pre>
<script src="/widget.js" data-key="${esc(opts.publishableKey)}" data-room="lobby" data-open="true" async></script>
</body>
</html>`;
}

/** The operator dashboard's page: the app itself is `/dashboard.js`. */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley dashboard</title>
</head>
<body>
<div id="app"></div>
<script src="/dashboard.js"></script>
</body>
</html>`;
}
