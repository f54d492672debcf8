CREATE TABLE "webhook_endpoints" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"lease_holder" text,
	"lease_until" bigint DEFAULT 0 NOT NULL,
	"disabled_at" bigint,
	"disabled_reason" text,
	"secret_gen" integer DEFAULT 0 NOT NULL,
	"previous_gen" integer,
	"previous_until" bigint
);
--> statement-breakpoint
DROP INDEX "webhook_events_due_idx";--> statement-breakpoint
ALTER TABLE "webhook_events" ALTER COLUMN "id" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "webhook_events" ALTER COLUMN "id" SET MAXVALUE 9223372036854775807;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "given_up_at" bigint;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "last_status" integer;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "latency_ms" integer;--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("tenant_id","id") WHERE delivered_at is null and given_up_at is null;--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_idx" ON "webhook_events" USING btree ("tenant_id","id");