import { useSignal } from '@preact/signals';
import type { TenantInfo, TenantRow } from '../api';
import type { Dashboard } from '../state';
import { AuditLog } from './audit-log';
import { EditTenant } from './edit-tenant';
import { Members } from './members';
import { Moderation } from './moderation';
import type { Place } from './nav';
import { RoomView } from './room-view';
import { Search } from './search';
import { UserView } from './user-view';
import { SecretKeys } from './secret-keys';
import { Alert } from './bits';
import { Webhooks } from './webhooks';


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
  const place = useSignal<Place>({ panel: null });
  const go = (to: Place) => ((place.value = to), (status.value = ''));
  const status = useSignal('');
  const error = useSignal('');
  const titleId = `${t.tenantId}-title`;
  const full = t.role === 'moderator' ? null : t;
  const owns = t.role === 'owner' || t.role === 'all';

  const rotate = async () => {
    const err = await d.rotateKey(full!);
    error.value = err ? err.message : '';
  };
  const toggle = (p: Exclude<Place['panel'], 'user'>, label: string) => (
    <button type="button" aria-expanded={place.value.panel === p} onClick={() => go({ panel: place.value.panel === p ? null : p })}>
      {label}
    </button>
  );
  const at = place.value;

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
        {toggle('rooms', 'Rooms')}
        {toggle('search', 'Search')}
        {toggle('audit', 'Audit log')}
        {full && toggle('webhooks', 'Webhooks')}
      </div>
      <p role="status" class="hint">
        {status.value}
      </p>
      <Alert message={error.value} />
      {at.panel === 'moderation' && <Moderation d={d} tenant={t} go={go} />}
      {at.panel === 'rooms' && <RoomView d={d} tenant={t} room={at.room} go={go} />}
      {at.panel === 'search' && <Search key={at.user} d={d} tenant={t} user={at.user} go={go} />}
      {at.panel === 'user' && <UserView d={d} tenant={t} user={at.user} go={go} />}
      {at.panel === 'members' && <Members d={d} tenant={t} />}
      {at.panel === 'audit' && <AuditLog d={d} tenant={t} />}
      {at.panel === 'webhooks' && full && <Webhooks d={d} tenant={full} owns={owns} />}
      {at.panel === 'edit' && full && (
        <EditTenant
          d={d}
          tenant={full}
          done={(saved) => {
            place.value = { panel: null };
            status.value = saved ? 'Saved.' : '';
          }}
        />
      )}
    </article>
  );
}
