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
  render(h(App, { ui }), container);
  return () => {
    render(null, container);
    host.remove();
  };
}
