import type { Page } from 'playwright-core';

/** Page CSS that tries to break, hide and restyle everything, the widget's host included. */
export const HOSTILE_CSS = `<style>
* { all: unset !important; }
div { display: none !important; }
html, body, p, span, section, button, textarea, a, b, time, header, form, h2 {
  font-family: "Comic Sans MS", fantasy !important; font-size: 31px !important; color: lime !important;
  line-height: 3 !important; letter-spacing: 6px !important; text-transform: uppercase !important;
  direction: rtl !important; visibility: visible; }
button, textarea, svg, form, header { display: none !important; }
*::before, *::after { content: "X" !important; display: block !important; font-size: 80px !important; }
section { display: block !important; position: fixed !important; z-index: 2147483647 !important; top: 0 !important; left: 0 !important; width: 50vw !important; height: 50vh !important; background: red !important; }
parley-chat, parley-chat * { display: none !important; opacity: 0 !important; transform: scale(0) !important; visibility: hidden !important; pointer-events: none !important; filter: blur(20px) !important; font-size: 2px !important; z-index: -1 !important; }
</style>`;

/** The page's own elements, which must look and behave the same with the widget. */
export const HOSTILE_BODY = `<p id="own-p">The page's own paragraph</p>
<div id="own-div">A div the page hides</div>
<section id="own-section">Overlay with a huge z-index</section>
<button id="own-button" onclick="window.__clicked = true">Page button</button>`;

/** What the page's own code and styles produce: compared before and after the widget loads. */
export const snapshot = (page: Page) =>
  page.evaluate(() => {
      const props = ['display', 'font-family', 'font-size', 'color', 'position', 'z-index', 'visibility', 'direction', 'text-transform'];
      const els = [...document.querySelectorAll('html, head, body, body *')].filter(
        (e) => e.localName !== 'parley-chat' && e.localName !== 'script',
      );
      return {
        elements: els.map((e) => [e.localName, e.id, e.attributes.length, props.map((p) => getComputedStyle(e).getPropertyValue(p)).join('|')].join(' ')),
        body: [...document.body.children].filter((e) => e.localName !== 'parley-chat' && e.localName !== 'script').map((e) => e.outerHTML),
        head: document.head.innerHTML,
        sheets: document.styleSheets.length + document.adoptedStyleSheets.length,
        htmlAttrs: [...document.documentElement.attributes].map((a) => `${a.name}=${a.value}`),
        globals: Object.keys(window).filter((k) => !k.startsWith('__')).sort(),
        title: document.title,
      };
    });
