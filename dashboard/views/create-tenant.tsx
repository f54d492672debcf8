import { useSignal } from '@preact/signals';
import type { Dashboard } from '../state';
import { formValues } from './form-values';
import { Alert } from './bits';

/** The form for a new tenant: name, allowed origins, guests. */
export function CreateTenant({ d }: { d: Dashboard }) {
  const error = useSignal('');
  const busy = useSignal(false);
  return (
    <section aria-labelledby="create-title">
      <h2 id="create-title">New tenant</h2>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const v = formValues(form);
          busy.value = true;
          const err = await d.createTenant({ name: v.text('name'), origins: v.lines('origins'), guests: v.checked('guests') });
          busy.value = false;
          error.value = err ? err.message : '';
          if (!err) form.reset();
        }}
      >
        <label for="new-name">Name</label>
        <input id="new-name" name="name" required maxLength={100} />
        <label for="new-origins">Allowed origins, one per line</label>
        <textarea id="new-origins" name="origins" rows={3} placeholder="https://example.com" aria-describedby="new-origins-hint" />
        <p id="new-origins-hint" class="hint">
          Sites that may embed the widget, like https://example.com, or * for any.
        </p>
        <label class="check">
          <input type="checkbox" name="guests" /> Allow guests (people without a token from the site)
        </label>
        <Alert message={error.value} />
        <div>
          <button type="submit" disabled={busy.value}>
            Create tenant
          </button>
        </div>
      </form>
    </section>
  );
}
