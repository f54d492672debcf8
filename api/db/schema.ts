import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { TenantSettings } from '../protocol';

export type { TenantSettings };

export const DEFAULT_SETTINGS: TenantSettings = {
  guests: false,
  maxTextLength: 4000,
  messagesPerSecond: 5,
  burst: 10,
  retentionDays: 0,
  rejectExecutable: true,
  // Off unless the operator turns it on: the word matcher costs about 40 µs a message.
  profanity: 'off',
  preSendUrl: '',
  preSendTimeoutMs: 2000,
  preSendFailOpen: true,
  eventsUrl: '',
  eventTypes: ['*'],
  maxTokenLifetime: 86_400,
  maxRoomsPerConnection: 50,
  joinsPerSecond: 5,
  joinBurst: 20,
  framesPerSecond: 20,
  frameBurst: 40,
  reportsPerMinute: 10,
  blocksPerMinute: 30,
};

const ms = (name: string) => bigint(name, { mode: 'number' });

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  origins: jsonb('origins').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  settings: jsonb('settings').$type<Partial<TenantSettings>>().notNull().default(sql`'{}'::jsonb`),
  publishableKey: text('publishable_key').notNull().unique(),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

// Secret keys are stored as a SHA-256 hash (for bearer lookups) and sealed with the server's
// master key (HS256 user tokens need the key itself to check signatures), never in plain text.
export const secretKeys = pgTable(
  'secret_keys',
  {
    prefix: text('prefix').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    hash: text('hash').notNull().unique(),
    sealed: text('sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('secret_keys_tenant_idx').on(t.tenantId)],
);

export const rooms = pgTable(
  'rooms',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    private: boolean('private').notNull().default(false),
    lastSeq: ms('last_seq').notNull().default(0),
    /** The room's change cursor: bumped by every stored change (new message, deletion). */
    rev: ms('rev').notNull().default(0),
    /** The cursor when retention last removed messages: a resume from below it is incomplete. */
    floorRev: ms('floor_rev').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

export const roomMembers = pgTable(
  'room_members',
  {
    tenantId: text('tenant_id').notNull(),
    room: text('room').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.room, t.userId] })],
);

export const messages = pgTable(
  'messages',
  {
    tenantId: text('tenant_id').notNull(),
    room: text('room').notNull(),
    seq: ms('seq').notNull(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    text: text('text'),
    ts: ms('ts').notNull(),
    deletedAt: ms('deleted_at'),
    /** The room's `rev` at this row's last change (its insert, or its deletion). */
    rev: ms('rev').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.room, t.seq] }),
    uniqueIndex('messages_tenant_room_id_uq').on(t.tenantId, t.room, t.id),
    index('messages_tenant_room_rev_idx').on(t.tenantId, t.room, t.rev),
    index('messages_tenant_ts_idx').on(t.tenantId, t.ts),
    // Moderators' search by words and by author. A tsvector GIN index, which PGlite has too
    // (pg_trgm is an extension PGlite does not load by default); 'simple' does no stemming, so
    // a search matches the words people typed, in any language.
    // New entries wait in the index's pending list until it holds gin_pending_list_limit kB;
    // the insert that crosses it merges the whole list into the index, holding its statement
    // (and on PGlite the whole process) meanwhile: with the default 4 MB, one in ~30,000
    // messages took 190-290 ms of CPU (p99 of bench (e) 150-300 ms). 128 kB spreads that
    // work: no statement above ~25 ms, and no more CPU in total (npm run bench, (e)).
    index('messages_text_search_idx')
      .using('gin', sql`to_tsvector('simple', coalesce(${t.text}, ''))`)
      .with({ gin_pending_list_limit: 128 }),
    index('messages_tenant_user_idx').on(t.tenantId, t.userId, t.ts),
  ],
);

export const reads = pgTable(
  'reads',
  {
    tenantId: text('tenant_id').notNull(),
    room: text('room').notNull(),
    userId: text('user_id').notNull(),
    lastSeq: ms('last_seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.room, t.userId] })],
);

export const blocks = pgTable(
  'blocks',
  {
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    blockedUserId: text('blocked_user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId, t.blockedUserId] })],
);

export const reports = pgTable(
  'reports',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    room: text('room').notNull(),
    messageId: text('message_id').notNull(),
    reporterId: text('reporter_id').notNull(),
    reason: text('reason'),
    ts: ms('ts').notNull(),
    /** open until a moderator resolves it (acted on it) or dismisses it. */
    status: text('status').$type<'open' | 'resolved' | 'dismissed'>().notNull().default('open'),
    closedBy: text('closed_by'),
    closedByName: text('closed_by_name'),
    closedAt: ms('closed_at'),
    /** What was done: delete, mute, ban or dismiss. */
    action: text('action'),
  },
  (t) => [index('reports_tenant_idx').on(t.tenantId, t.ts), index('reports_open_idx').on(t.tenantId, t.id).where(sql`status = 'open'`)],
);

/** A ban's or mute's columns: one per user and tenant; `until` null means for good. */
const sanctionColumns = () => ({
  tenantId: text('tenant_id').notNull(),
  userId: text('user_id').notNull(),
  reason: text('reason'),
  createdAt: ms('created_at').notNull(),
  until: ms('until'),
});

/** Users banned from a tenant (PROTOCOL.md close code 4503). */
export const bans = pgTable('bans', sanctionColumns(), (t) => [primaryKey({ columns: [t.tenantId, t.userId] })]);

/** Users muted in a tenant: connected and reading, but their messages are refused. */
export const mutes = pgTable('mutes', sanctionColumns(), (t) => [primaryKey({ columns: [t.tenantId, t.userId] })]);

/**
 * Event webhooks, written in the same transaction (or statement) as what they report, so an
 * event is never lost. A tenant's events go out one at a time in id order: the oldest pending
 * one (neither delivered nor given up) blocks the rest until it is taken or its retries run
 * out. Kept after delivery as the tenant's delivery log.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: ms('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (only the tenant's oldest pending event is attempted). */
    nextAt: ms('next_at').notNull(),
    deliveredAt: ms('delivered_at'),
    /** Set when the retry schedule ran out without a 2xx. */
    givenUpAt: ms('given_up_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    latencyMs: integer('latency_ms'),
  },
  (t) => [
    index('webhook_events_pending_idx').on(t.tenantId, t.id).where(sql`delivered_at is null and given_up_at is null`),
    index('webhook_events_tenant_idx').on(t.tenantId, t.id),
  ],
);

/**
 * Per tenant: which server delivers its events now (a lease, so a tenant's events are never
 * split across servers), whether its endpoint was disabled (it answered 410), and which
 * generation of its signing secret is current (and until when the previous one still signs).
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  tenantId: text('tenant_id').primaryKey(),
  leaseHolder: text('lease_holder'),
  leaseUntil: ms('lease_until').notNull().default(0),
  disabledAt: ms('disabled_at'),
  disabledReason: text('disabled_reason'),
  secretGen: integer('secret_gen').notNull().default(0),
  previousGen: integer('previous_gen'),
  previousUntil: ms('previous_until'),
});

/** People who sign in to the dashboard (email and a scrypt password hash); `operator` sees every tenant. */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    operator: boolean('operator').notNull().default(false),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [uniqueIndex('accounts_email_uq').on(t.email)],
);

/** Dashboard sessions; only a SHA-256 of the cookie's id is kept, so a database copy signs nobody in. */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('sessions_account_idx').on(t.accountId)],
);

/** An account's role in one tenant: owner (settings, keys, members), admin (settings, moderation), moderator. */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    role: text('role').$type<'owner' | 'admin' | 'moderator'>().notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.accountId] }), index('memberships_account_idx').on(t.accountId)],
);

/** One-time invitations to a tenant, by the SHA-256 of the link's token. */
export const invites = pgTable(
  'invites',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    email: text('email').notNull(),
    role: text('role').$type<'owner' | 'admin' | 'moderator'>().notNull(),
    invitedBy: text('invited_by').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    usedAt: ms('used_at'),
  },
  (t) => [index('invites_tenant_idx').on(t.tenantId)],
);

/** Who did what to whom, per tenant: every moderation and settings action. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    /** An account id, `admin-token`, or `key:<prefix>` for the tenant's backend. */
    actor: text('actor').notNull(),
    /** The actor's email when it is an account, kept so the log reads after the account is gone. */
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull().default(''),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    ts: ms('ts').notNull(),
  },
  (t) => [index('audit_log_tenant_idx').on(t.tenantId, t.id)],
);

/** Facts about the installation itself, such as the master key's check value (never the key). */
export const serverMeta = pgTable('server_meta', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
