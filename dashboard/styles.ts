/**
 * The dashboard's whole stylesheet: plain, readable, with visible focus and light/dark colours.
 * Empty live regions (`.hint`) stay displayed, only without margin: one shown only when it gets
 * text may not be announced.
 */
export const CSS = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--line:#d5dae3;--bg:#f6f7f9;--card:#fff;--accent:#2450c7;--bad:#b3261e}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a3abba;--line:#3a4150;--bg:#15181e;--card:#1e222a;--accent:#8fb0ff;--bad:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:0 1rem 3rem}
h1{font-size:1.4rem;margin:0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem;margin:0 0 .5rem}
.top{display:flex;justify-content:space-between;align-items:center;max-width:60rem;margin:0 auto;padding:1rem}
section,.tenant,.signin form{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
section>section,section>.tenant{margin-bottom:.75rem}
section>h2:first-child,#tenants-title{margin-top:0}
.secret p[role=status]{margin-bottom:.5rem}
.signin{max-width:24rem;padding-top:4rem}.signin h1{margin-bottom:1rem}
.stack{display:flex;flex-direction:column;gap:.35rem}
.row{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.spread{justify-content:space-between}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.5rem 1rem}.grid label{display:block}
label{font-weight:600}.check{font-weight:400;display:flex;gap:.4rem;align-items:center}
input,textarea,select,button{font:inherit;color:inherit}
input:not([type=checkbox]),textarea,select{width:100%;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg)}
.row input{flex:1;min-width:12rem;font-family:ui-monospace,monospace}
button{padding:.4rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--card);cursor:pointer}
button.quiet{background:transparent;color:var(--accent)}
button:disabled{opacity:.6;cursor:default}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.hint{color:var(--muted);margin:.1rem 0;font-size:.9em}.hint:empty{margin:0}
.error{color:var(--bad);font-weight:600;margin:.25rem 0}
[aria-invalid=true]{border-color:var(--bad)!important}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 .75rem}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,monospace;font-size:.92em}
table{border-collapse:collapse;width:100%;margin:0 0 .75rem}caption{text-align:left;font-weight:600;padding-bottom:.25rem}
th,td{text-align:left;padding:.25rem .5rem;border-top:1px solid var(--line);font-weight:400}thead th{color:var(--muted);border-top:0}
.tag{font-size:.75rem;font-weight:600;margin-left:.5rem;padding:.1rem .45rem;border-radius:99px;background:var(--bad);color:var(--card);vertical-align:middle}
.off{opacity:.85;border-style:dashed}
.secret{border:2px solid var(--accent)}
.edit{border-top:1px solid var(--line);margin-top:.75rem;padding-top:.75rem}
@media (max-width:40rem){main,.top{padding-left:.5rem;padding-right:.5rem}section,.tenant{padding:.6rem}th,td{padding:.25rem}}
.tenant{overflow-x:auto}
.report{border:1px solid var(--line);border-radius:8px;padding:.75rem}.report h4{margin:0 0 .25rem}
.context{list-style:none;margin:.5rem 0;padding:0}.context li{padding:.1rem .4rem}.context .reported,p.reported{border-left:3px solid var(--bad);background:var(--bg)}
button.link{background:none;border:0;padding:0;color:var(--accent);text-decoration:underline;font-weight:600}
.messages,.online,.rooms{list-style:none;margin:0;padding:0}.messages>li{border-top:1px solid var(--line);padding:.4rem 0}
.messages .text{margin:.15rem 0;white-space:pre-wrap;overflow-wrap:anywhere}.messages .row button.quiet{padding:.15rem .6rem}
.online{display:flex;flex-wrap:wrap;gap:.25rem .75rem}.online li::before{content:"● ";color:#2e8540}
.live-state{background:var(--accent)}[data-state=connected] .live-state{background:#2e8540}
.sanction{background:var(--bg);border-radius:6px;padding:.4rem}.in-force{color:var(--bad);font-weight:600}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
