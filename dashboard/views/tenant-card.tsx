import { useSignal } from '@preact/signals';
import type { TenantInfo } from '../api';
import type { Dashboard } from '../state';
import { EditTenant } from './edit-tenant';
import { Moderation } from './moderation';
import { SecretKeys } from './secret-keys';
import { Alert } from './bits';

/** One tenant: what the server stores for it, its keys, and the actions on it. */
export function TenantCard({ d, tenant: t }: { d: Dashboard; tenant: TenantInfo }) {
  const editing = useSignal(false);
  const moderating = useSignal(false);
  const status = useSignal('');
  const error = useSignal('');
  const s = t.settings;
  const titleId = `${t.tenantId}-title`;

  const rotate = async () => {
    const err = await d.rotateKey(t);
    error.value = err ? err.message : '';
  };

  return (
    <article class={`tenant${t.disabled ? ' off' : ''}`} aria-labelledby={titleId} data-tenant={t.tenantId}>
      <h3 id={titleId}>
        {t.name}
        {t.disabled && <span class="tag">Disabled</span>}
      </h3>
      <dl>
        <dt>Tenant id</dt>
        <dd>
          <code>{t.tenantId}</code>
        </dd>
        <dt>Origins</dt>
        <dd class="origins">{t.origins.length ? t.origins.join(', ') : 'None (the widget cannot be embedded anywhere)'}</dd>
        <dt>Guests</dt>
        <dd class="guests">{t.guests ? 'Allowed' : 'Not allowed'}</dd>
        <dt>Publishable key</dt>
        <dd>
          <code>{t.publishableKey}</code>
        </dd>
        <dt>Limits</dt>
        <dd class="limits">
          {`${s.maxTextLength} characters a message; ${s.messagesPerSecond} messages a second, burst ${s.burst}; ` +
            (s.retentionDays ? `messages kept ${s.retentionDays} days` : 'messages kept forever')}
        </dd>
        <dt>Content</dt>
        <dd class="content-rules">
          {`${s.rejectExecutable ? 'scripts refused' : 'scripts allowed'}; profanity ${{ off: 'allowed', mask: 'masked', reject: 'refused' }[s.profanity]}; ` +
            (s.preSendUrl ? `pre-send webhook ${s.preSendUrl} (${s.preSendFailOpen ? 'fails open' : 'fails closed'})` : 'no pre-send webhook') +
            (s.eventsUrl ? `; events to ${s.eventsUrl}` : '; no event webhook')}
        </dd>
      </dl>
      <SecretKeys d={d} tenant={t} />
      <div class="row">
        <button type="button" aria-expanded={editing.value} onClick={() => ((editing.value = !editing.value), (status.value = ''))}>
          Edit
        </button>
        <button type="button" onClick={rotate}>
          New secret key
        </button>
        <button type="button" aria-expanded={moderating.value} onClick={() => (moderating.value = !moderating.value)}>
          Moderation
        </button>
      </div>
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
      {moderating.value && <Moderation d={d} tenant={t} />}
      {editing.value && (
        <EditTenant
          d={d}
          tenant={t}
          done={(saved) => {
            editing.value = false;
            status.value = saved ? 'Saved.' : '';
          }}
        />
      )}
    </article>
  );
}
