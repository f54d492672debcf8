/**
 * Inline style of the host element. The host lives in the page's tree, so page rules such as
 * `* { all: unset !important }` reach it; an inline `!important` declaration beats any page
 * selector, and `all: initial` stops the page's fonts and colours from being inherited.
 */
export const HOST_STYLE =
  'all:initial!important;display:block!important;position:fixed!important;z-index:2147483647!important;' +
  'bottom:0!important;right:0!important;width:0!important;height:0!important;direction:ltr!important';

// The dark theme's colours: for `data-theme="dark"`, and for `auto` on a dark system (written
// once here, twice in the CSS, where gzip makes the repeat all but free).
const DARK = '--parley-bg:#1d1f23;--parley-fg:#e8eaed;--parley-muted:#a0a6ad;--parley-bubble:#2c2f35;--parley-border:#3c4048;--parley-danger:#ff8787';

// `:host` repeats the host style: inside the shadow tree, `!important` wins over the page's
// `!important` even where a page script rewrites our inline style. Theme through the
// `--parley-*` custom properties, which `all` does not reset and the page may set on `parley-chat`.
/** Every style of the widget; lives inside the shadow root only. */
export const CSS = `:host{${HOST_STYLE.replace(/!important/g, ' !important')};--parley-accent:#4f46e5;--parley-accent-text:#fff;--parley-bg:#fff;--parley-fg:#1f2328;--parley-muted:#5f6670;--parley-bubble:#eef0f3;--parley-border:#d9dde3;--parley-danger:#c92a2a;--parley-font:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;--parley-radius:14px}
:host:before,:host:after{content:none!important}
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){${DARK}}}
:host([data-theme=dark]){${DARK}}
*,:before,:after{box-sizing:border-box}
.root{font:15px/1.4 var(--parley-font);color:var(--parley-fg);text-align:start}
button{font:inherit;color:inherit;cursor:pointer}
:focus-visible{outline:2px solid var(--parley-accent);outline-offset:2px}
.launcher,.panel{position:fixed;right:20px}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher{bottom:20px;width:56px;height:56px;border:0;border-radius:50%;padding:0;display:flex;align-items:center;justify-content:center;background:var(--parley-accent);color:var(--parley-accent-text);box-shadow:0 4px 16px #0004;transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-4px;inset-inline-end:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:var(--parley-danger);color:#fff;font-size:12px;font-weight:700;line-height:22px}
.panel{bottom:88px;width:370px;height:min(600px,calc(100vh - 108px));display:flex;flex-direction:column;background:var(--parley-bg);border-radius:var(--parley-radius);box-shadow:0 8px 40px #0005;overflow:hidden;animation:in .18s ease-out}
@keyframes in{from{opacity:0;transform:translateY(12px)}}
header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--parley-accent);color:var(--parley-accent-text)}
header div{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.state{font-size:12px;display:flex;align-items:center;gap:6px}
.state:before{content:"";width:8px;height:8px;border-radius:50%;background:#fbbf24}
[data-state=connected] .state:before{background:#4ade80}
[data-state=offline] .state:before,[data-state=stopped] .state:before{background:#f87171}
.x{border:0;background:none;padding:4px;border-radius:8px;display:flex}
.x svg{width:22px;height:22px}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:8px 14px;display:flex;flex-direction:column}
.msg{max-width:85%;align-self:flex-start;margin-top:2px;display:flex;flex-direction:column;align-items:flex-start}
.own{align-self:flex-end;align-items:flex-end}
.who{font-size:12px;color:var(--parley-muted);margin:10px 4px 2px;display:flex;align-items:center;gap:6px}
.who b{font-weight:600}
.av{width:22px;height:22px;border-radius:50%;flex:none;color:#fff;font-size:10px;font-weight:700;line-height:22px;text-align:center}
.day{align-self:center;margin:12px 0 2px;padding:2px 10px;border-radius:10px;background:var(--parley-bubble);color:var(--parley-muted);font-size:11px}
.bubble{padding:7px 11px;border-radius:16px;background:var(--parley-bubble);white-space:pre-wrap;overflow-wrap:anywhere}
.own .bubble{background:var(--parley-accent);color:var(--parley-accent-text)}
.bubble a{color:inherit;text-decoration:underline}
.gone .bubble{font-style:italic;opacity:.7}
[data-status=sending] .bubble{opacity:.75}
.status{font-size:11px;color:var(--parley-muted);margin:2px 4px 0}
[data-status=failed] .status{color:var(--parley-danger)}
.reason:before{content:": "}
.row{display:flex;align-items:center;gap:2px;max-width:100%}
.own .row{flex-direction:row-reverse}
.more{border:0;background:none;padding:2px 4px;color:var(--parley-muted);border-radius:8px}
@media (hover:hover){.msg:not(:hover,:focus-within) .more{opacity:0}}
.menu{display:flex;flex-wrap:wrap;gap:4px;margin:4px 0;padding:0;border:0}
.menu *{border:1px solid var(--parley-border);border-radius:12px;padding:3px 10px;background:var(--parley-bg);font:12px var(--parley-font);color:inherit}
.danger{color:var(--parley-danger)}
.panel>.link{align-self:flex-start;margin:2px 14px}
.link{border:0;background:none;padding:0;margin-inline-start:6px;font-size:11px;text-decoration:underline;color:inherit}
.divider{display:flex;align-items:center;gap:8px;color:var(--parley-danger);font-size:12px;margin:10px 0 2px}
.divider:before,.divider:after{content:"";flex:1;border-top:1px solid}
.note{margin:auto;padding:12px;color:var(--parley-muted);font-size:13px;text-align:center}
.typing{min-height:18px;padding:0 14px;font-size:12px;color:var(--parley-muted)}
form{display:flex;align-items:flex-end;gap:8px;margin:0;padding:8px 10px 10px;border-top:1px solid var(--parley-border)}
textarea{flex:1;min-height:40px;max-height:120px;resize:none;margin:0;padding:9px 14px;border:1px solid var(--parley-border);border-radius:20px;background:var(--parley-bg);color:inherit;font:16px/1.3 var(--parley-font)}
textarea:focus{outline:none;border-color:var(--parley-accent)}
.send{width:40px;height:40px;flex:none;border:0;border-radius:50%;padding:0;display:flex;align-items:center;justify-content:center;background:var(--parley-accent);color:var(--parley-accent-text)}
.send:disabled{opacity:.45;cursor:default}
.send svg{width:20px;height:20px}
.dead{padding:8px 14px 0;font-size:13px;color:var(--parley-danger);border-top:1px solid var(--parley-border)}
.dead+form{border-top:0}
textarea:disabled{opacity:.6}
.count{padding:0 14px 6px;font-size:11px;color:var(--parley-muted);text-align:end}
[dir=rtl] .send svg{transform:scaleX(-1)}
.ask{display:flex;flex-direction:column;align-items:stretch;gap:8px;padding:10px 12px 12px;border-top:1px solid var(--parley-border);margin:0}
.ask label{font-size:13px;color:var(--parley-muted)}
.ask div{display:flex;gap:8px}
.ask input{flex:1;min-width:0;margin:0;padding:9px 14px;border:1px solid var(--parley-border);border-radius:20px;background:var(--parley-bg);color:inherit;font:16px/1.3 var(--parley-font)}
.ask button{border:0;border-radius:20px;padding:0 14px;background:var(--parley-accent);color:var(--parley-accent-text);font-weight:600}
.over{color:var(--parley-danger)}
@media (max-width:480px){.panel{inset:0!important;width:auto;height:auto;border-radius:0}.open .launcher{display:none}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}`;
