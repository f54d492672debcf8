import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Dashboard } from '../state';

/** A new secret key, shown once: the server keeps only a sealed copy the dashboard cannot read. */
export function SecretNotice({ d }: { d: Dashboard }) {
  const r = d.revealed.value;
  const heading = useRef<HTMLHeadingElement>(null);
  const copied = useSignal('');
  // Move focus here so keyboard and screen-reader users learn the key exists before it is gone.
  useEffect(() => {
    copied.value = '';
    if (r) heading.current?.focus();
  }, [r]);
  if (!r) return null;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(r.secretKey);
      copied.value = 'Copied to the clipboard.';
    } catch {
      // The clipboard API needs a secure context and permission; selecting the text still lets a person copy it.
      (document.getElementById('secret-key') as HTMLInputElement | null)?.select();
      copied.value = 'Selected: press Ctrl+C (⌘C on a Mac) to copy.';
    }
  };

  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title" tabIndex={-1} ref={heading}>
        {r.reason === 'created' ? `Tenant “${r.tenantName}” created` : `New secret key for “${r.tenantName}”`}
      </h2>
      <p>
        Copy this secret key now and keep it in your backend's configuration. It is shown only this once; if it is lost,
        make a new one and revoke this one.
      </p>
      <label for="secret-key">Secret key</label>
      <div class="row">
        <input id="secret-key" readOnly value={r.secretKey} onFocus={(e) => e.currentTarget.select()} spellcheck={false} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copied.value}
      </p>
      <button type="button" onClick={() => (d.revealed.value = null)}>
        I have saved it
      </button>
    </section>
  );
}
