-- Hand-edited: drizzle-kit wrote DROP INDEX + CREATE INDEX, which would rebuild the text index
-- over every stored message. Changing the storage parameter in place is the same end state
-- (the snapshot agrees) and instant.
ALTER INDEX "messages_text_search_idx" SET (gin_pending_list_limit = 128);
