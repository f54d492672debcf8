import { useSignal } from '@preact/signals';
import type { TenantInfo } from '../api';
import type { Dashboard } from '../state';
import { formValues } from './form-values';
import { Alert } from './bits';

const LIMITS = [
  { name: 'maxTextLength', label: 'Longest message (characters)', step: '1' },
  { name: 'messagesPerSecond', label: 'Messages a second per person', step: 'any' },
  { name: 'burst', label: 'Burst (messages at once)', step: '1' },
  { name: 'retentionDays', label: 'Keep messages for (days, 0 = forever)', step: '1' },
  { name: 'preSendTimeoutMs', label: 'Pre-send webhook timeout (ms)', step: '1' },
] as const;

/**
 * Edits a tenant's origins, guests, disabled and limits. The browser's own checks are off
 * (`noValidate`) so the API, the one judge of what is valid, says what is wrong.
 */
export function EditTenant({ d, tenant, done }: { d: Dashboard; tenant: TenantInfo; done: (saved: boolean) => void }) {
  const error = useSignal('');
  const busy = useSignal(false);
  const id = (name: string) => `${tenant.tenantId}-${name}`;
  return (
    <form
      class="stack edit"
      noValidate
      aria-label={`Edit ${tenant.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const v = formValues(e.currentTarget);
        busy.value = true;
        const err = await d.updateTenant(tenant.tenantId, {
          origins: v.lines('origins'),
          guests: v.checked('guests'),
          disabled: v.checked('disabled'),
          settings: {
            maxTextLength: v.number('maxTextLength'),
            messagesPerSecond: v.number('messagesPerSecond'),
            burst: v.number('burst'),
            retentionDays: v.number('retentionDays'),
            rejectExecutable: v.checked('rejectExecutable'),
            profanity: v.text('profanity') as TenantInfo['settings']['profanity'],
            preSendUrl: v.text('preSendUrl'),
            preSendTimeoutMs: v.number('preSendTimeoutMs'),
            preSendFailOpen: v.checked('preSendFailOpen'),
            eventsUrl: v.text('eventsUrl'),
          },
        });
        busy.value = false;
        error.value = err ? err.message : '';
        if (!err) done(true);
      }}
    >
      <label for={id('origins')}>Allowed origins, one per line</label>
      <textarea id={id('origins')} name="origins" rows={3} defaultValue={tenant.origins.join('\n')} />
      <label class="check">
        <input type="checkbox" name="guests" defaultChecked={tenant.guests} /> Allow guests
      </label>
      <label class="check">
        <input type="checkbox" name="disabled" defaultChecked={tenant.disabled} /> Disabled (refuse all connections and API calls)
      </label>
      <label class="check">
        <input type="checkbox" name="rejectExecutable" defaultChecked={tenant.settings.rejectExecutable} /> Refuse messages with scripts,
        event handlers or script URLs
      </label>
      <label for={id('profanity')}>Profanity</label>
      <select id={id('profanity')} name="profanity" defaultValue={tenant.settings.profanity}>
        <option value="off">Allow</option>
        <option value="mask">Mask with asterisks</option>
        <option value="reject">Refuse the message</option>
      </select>
      <label for={id('preSendUrl')}>Pre-send webhook URL (empty for none)</label>
      <input id={id('preSendUrl')} name="preSendUrl" type="url" defaultValue={tenant.settings.preSendUrl} />
      <label class="check">
        <input type="checkbox" name="preSendFailOpen" defaultChecked={tenant.settings.preSendFailOpen} /> Let messages through when the
        webhook fails
      </label>
      <label for={id('eventsUrl')}>Event webhook URL: messages, reports, bans, rooms (empty for none)</label>
      <input id={id('eventsUrl')} name="eventsUrl" type="url" defaultValue={tenant.settings.eventsUrl} />
      <div class="grid">
        {LIMITS.map((l) => (
          <div key={l.name}>
            <label for={id(l.name)}>{l.label}</label>
            <input
              id={id(l.name)}
              name={l.name}
              type="number"
              step={l.step}
              inputMode={l.step === 'any' ? 'decimal' : 'numeric'}
              defaultValue={String(tenant.settings[l.name])}
            />
          </div>
        ))}
      </div>
      <Alert message={error.value} />
      <div class="row">
        <button type="submit" disabled={busy.value}>
          Save
        </button>
        <button type="button" class="quiet" onClick={() => done(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
