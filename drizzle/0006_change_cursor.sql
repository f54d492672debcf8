ALTER TABLE "messages" ADD COLUMN "rev" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "rev" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "floor_rev" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written: rooms and messages stored before the cursor existed get one, so old data dirs
-- resume like new ones (a message's first change was its insert: rev = seq).
UPDATE "messages" SET "rev" = "seq";--> statement-breakpoint
UPDATE "rooms" SET "rev" = "last_seq";--> statement-breakpoint
CREATE INDEX "messages_tenant_room_rev_idx" ON "messages" USING btree ("tenant_id","room","rev");