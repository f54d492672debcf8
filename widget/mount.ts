import { effect } from '@preact/signals-core';
import { h, render } from 'preact';
import { App } from './ui/app';
import { CSS, HOST_STYLE } from './ui/styles';
import type { Ui } from './ui/ui-state';

/** The host element's name: a custom element, so no page rule for `div` or `section` matches it. */
export const HOST_TAG = 'parley-chat';

/** Puts the widget in an open Shadow DOM on the page; returns the function that takes it away. */
export function mount(ui: Ui, color: string | undefined, theme: string): () => void {
  const host = document.createElement(HOST_TAG);
  host.setAttribute('style', HOST_STYLE);
  // `auto` follows the visitor's system; light or dark is the site's choice (CSS `:host([data-theme])`).
  if (theme !== 'auto') host.dataset.theme = theme;
  // setProperty takes one value: a hostile `color` option cannot add other declarations.
  if (color) host.style.setProperty('--parley-accent', color);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = CSS;
  const container = document.createElement('div');
  shadow.append(style, container);
  // On <html>, not <body>: single-page apps that replace body's content do not take chat with it.
  document.documentElement.append(host);
  // The tree renders inside an effect, so every signal a component reads while rendering is a
  // dependency; a change renders the tree again (Preact diffs it) in a microtask, so the writes of
  // one frame or one click make one render, as Preact batches its own. The @preact/signals
  // binding did this per component for 1.2 KB gzipped.
  let stop = () => {};
  let queued = false;
  let draw = () => {
    queued = false;
    stop();
    let first = true;
    stop = effect(() => {
      if (first) {
        first = false;
        render(h(App, { ui }), container);
      } else if (!queued) {
        queued = true;
        queueMicrotask(() => draw());
      }
    });
  };
  draw();
  return () => {
    stop();
    stop = draw = () => {};
    render(null, container);
    host.remove();
  };
}
