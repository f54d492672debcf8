CREATE TABLE "blocks" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"blocked_user_id" text NOT NULL,
	CONSTRAINT "blocks_tenant_id_user_id_blocked_user_id_pk" PRIMARY KEY("tenant_id","user_id","blocked_user_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"tenant_id" text NOT NULL,
	"room" text NOT NULL,
	"seq" bigint NOT NULL,
	"id" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"text" text,
	"ts" bigint NOT NULL,
	"deleted_at" bigint,
	CONSTRAINT "messages_tenant_id_room_seq_pk" PRIMARY KEY("tenant_id","room","seq")
);
--> statement-breakpoint
CREATE TABLE "reads" (
	"tenant_id" text NOT NULL,
	"room" text NOT NULL,
	"user_id" text NOT NULL,
	"last_seq" bigint NOT NULL,
	CONSTRAINT "reads_tenant_id_room_user_id_pk" PRIMARY KEY("tenant_id","room","user_id")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"room" text NOT NULL,
	"message_id" text NOT NULL,
	"reporter_id" text NOT NULL,
	"reason" text,
	"ts" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "room_members" (
	"tenant_id" text NOT NULL,
	"room" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "room_members_tenant_id_room_user_id_pk" PRIMARY KEY("tenant_id","room","user_id")
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"private" boolean DEFAULT false NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rooms_tenant_id_name_pk" PRIMARY KEY("tenant_id","name")
);
--> statement-breakpoint
CREATE TABLE "secret_keys" (
	"prefix" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"hash" text NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "secret_keys_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"origins" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"publishable_key" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_publishable_key_unique" UNIQUE("publishable_key")
);
--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "secret_keys" ADD CONSTRAINT "secret_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_room_id_uq" ON "messages" USING btree ("tenant_id","room","id");--> statement-breakpoint
CREATE INDEX "messages_tenant_ts_idx" ON "messages" USING btree ("tenant_id","ts");--> statement-breakpoint
CREATE INDEX "reports_tenant_idx" ON "reports" USING btree ("tenant_id","ts");--> statement-breakpoint
CREATE INDEX "secret_keys_tenant_idx" ON "secret_keys" USING btree ("tenant_id");