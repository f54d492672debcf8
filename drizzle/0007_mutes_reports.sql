CREATE TABLE "mutes" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"reason" text,
	"created_at" bigint NOT NULL,
	"until" bigint,
	CONSTRAINT "mutes_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "status" text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "closed_by" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "closed_by_name" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "closed_at" bigint;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "action" text;--> statement-breakpoint
CREATE INDEX "reports_open_idx" ON "reports" USING btree ("tenant_id","id") WHERE status = 'open';