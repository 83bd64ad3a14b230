-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('open', 'acknowledged', 'closed');

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "workspaceId" TEXT,
    "subject" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "windowEnd" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,
    "firstSeq" BIGINT NOT NULL,
    "lastSeq" BIGINT NOT NULL,
    "state" "AlertState" NOT NULL DEFAULT 'open',
    "raisedAt" TIMESTAMP(3) NOT NULL,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "closedBy" TEXT,
    "closedAt" TIMESTAMP(3),
    "note" TEXT,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertCursor" (
    "id" TEXT NOT NULL,
    "lastSeq" BIGINT NOT NULL,

    CONSTRAINT "AlertCursor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Alert_key_key" ON "Alert"("key");

-- CreateIndex
CREATE INDEX "Alert_state_raisedAt_idx" ON "Alert"("state", "raisedAt");

-- CreateIndex
CREATE INDEX "Alert_workspaceId_raisedAt_idx" ON "Alert"("workspaceId", "raisedAt");

-- CreateIndex
CREATE INDEX "Alert_rule_subject_windowEnd_idx" ON "Alert"("rule", "subject", "windowEnd");
