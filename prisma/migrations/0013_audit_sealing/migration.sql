-- Audit sealing (issue 14): appends only insert, taking their seq from a
-- sequence; a sealer links committed events into the hash chain later, in
-- sealing order ("chainSeq"). Events already chained keep their hashes: their
-- chain position is their seq, which is what their hashes cover.
CREATE SEQUENCE auditevent_seq_seq;
ALTER TABLE "AuditEvent" ADD COLUMN     "chainSeq" BIGINT,
ALTER COLUMN "seq" SET DEFAULT nextval('auditevent_seq_seq'),
ALTER COLUMN "prevHash" DROP NOT NULL,
ALTER COLUMN "hash" DROP NOT NULL;
ALTER SEQUENCE auditevent_seq_seq OWNED BY "AuditEvent"."seq";

UPDATE "AuditEvent" SET "chainSeq" = "seq";
SELECT setval('auditevent_seq_seq', COALESCE((SELECT max("seq") FROM "AuditEvent"), 0) + 1, false);

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_chainSeq_key" ON "AuditEvent"("chainSeq");
