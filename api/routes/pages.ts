const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The demo page at `/`: a plain page with the widget embedded as a site owner would. */
export function demoPage(opts: { publishableKey: string; widgetSrc?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}pre{background:#f4f5f7;padding:.75rem;overflow-x:auto;font-size:13px}</style>
</head>
<body>
<h1>Parley demo</h1>
<p>This page embeds the Parley widget with one script tag. Open it in two windows and chat.</p>
<h2>A shared room</h2>
<p>The chat on this page is a community room: everyone who opens it reads and writes the same
conversation, as a guest. No backend needed:</p>
<pre><code>&lt;script src="${esc('/widget.js')}" data-key="${esc(opts.publishableKey)}" data-room="community" async&gt;&lt;/script&gt;</code></pre>
<h2>A private room per signed-in visitor</h2>
<p>For support, each visitor needs a room of their own. Your backend creates it with its secret
key, with the visitor and your agents as members, and gives the widget a token for that visitor:</p>
<pre><code>// POST /chat-token on your site (the widget's data-token-url), for the signed-in user:
await fetch(PARLEY + '/v1/rooms/support-' + user.id, { method: 'PUT',
  headers: { authorization: 'Bearer ' + SECRET_KEY, 'content-type': 'application/json' },
  body: JSON.stringify({ private: true, members: [user.id, 'agent'] }) });
const { token } = await (await fetch(PARLEY + '/v1/tokens', { method: 'POST',
  headers: { authorization: 'Bearer ' + SECRET_KEY, 'content-type': 'application/json' },
  body: JSON.stringify({ user: user.id, name: user.name }) })).json();
// answer { token }</code></pre>
<pre><code>&lt;script src="${esc('/widget.js')}" data-key="${esc(opts.publishableKey)}"
  data-room="support-USER_ID" data-token-url="/chat-token" async&gt;&lt;/script&gt;</code></pre>
<p>Nobody else can join that room, so no visitor reads another's questions. A working site that
does both is <code>test/examples/support-site.ts</code> in the Parley repository.</p>
<script src="${esc(opts.widgetSrc ?? '/widget.js')}" data-key="${esc(opts.publishableKey)}" data-room="community" data-title="Community" data-open="true" async></script>
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
