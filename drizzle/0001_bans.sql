CREATE TABLE "bans" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"reason" text,
	"created_at" bigint NOT NULL,
	"until" bigint,
	CONSTRAINT "bans_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
