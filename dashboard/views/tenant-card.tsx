import { useSignal } from '@preact/signals';
import type { TenantInfo, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { AuditLog } from './audit-log';
import { EditTenant } from './edit-tenant';
import { Members } from './members';
import { Moderation } from './moderation';
import { SecretKeys } from './secret-keys';
import { Alert } from './bits';
import { Webhooks } from './webhooks';

type Panel = 'edit' | 'members' | 'moderation' | 'audit' | 'webhooks' | null;

/** What the server stores for a tenant; shown to those who may change it (owners, admins, operators). */
function Details({ t }: { t: TenantInfo }) {
  const s = t.settings;
  return (
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
  );
}

/** One tenant, with what the signed-in role may see and do there. */
export function TenantCard({ d, tenant: t }: { d: Dashboard; tenant: TenantRow }) {
  const open = useSignal<Panel>(null);
  const status = useSignal('');
  const error = useSignal('');
  const titleId = `${t.tenantId}-title`;
  const full = t.role === 'moderator' ? null : t;
  const owns = t.role === 'owner' || t.role === 'all';

  const rotate = async () => {
    const err = await d.rotateKey(full!);
    error.value = err ? err.message : '';
  };
  const toggle = (p: Panel, label: string) => (
    <button type="button" aria-expanded={open.value === p} onClick={() => ((open.value = open.value === p ? null : p), (status.value = ''))}>
      {label}
    </button>
  );

  return (
    <article class={`tenant${t.disabled ? ' off' : ''}`} aria-labelledby={titleId} data-tenant={t.tenantId}>
      <h3 id={titleId}>
        {t.name}
        {t.disabled && <span class="tag">Disabled</span>}
        {t.role !== 'all' && <span class="hint"> · you are {t.role}</span>}
      </h3>
      {full && <Details t={full} />}
      {full && owns && <SecretKeys d={d} tenant={full} />}
      <div class="row">
        {full && toggle('edit', 'Edit')}
        {full && owns && (
          <button type="button" onClick={rotate}>
            New secret key
          </button>
        )}
        {owns && toggle('members', 'Members')}
        {toggle('moderation', 'Moderation')}
        {toggle('audit', 'Audit log')}
        {full && toggle('webhooks', 'Webhooks')}
      </div>
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
      {open.value === 'moderation' && <Moderation d={d} tenant={t} />}
      {open.value === 'members' && <Members d={d} tenant={t} />}
      {open.value === 'audit' && <AuditLog d={d} tenant={t} />}
      {open.value === 'webhooks' && full && <Webhooks d={d} tenant={full} owns={owns} />}
      {open.value === 'edit' && full && (
        <EditTenant
          d={d}
          tenant={full}
          done={(saved) => {
            open.value = null;
            status.value = saved ? 'Saved.' : '';
          }}
        />
      )}
    </article>
  );
}
