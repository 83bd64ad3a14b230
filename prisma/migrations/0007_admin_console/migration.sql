-- Issue 12: the admin console, retention and legal hold.

-- CreateEnum
CREATE TYPE "HoldScope" AS ENUM ('channel', 'patient', 'asset');

-- AlterEnum
ALTER TYPE "CardState" ADD VALUE 'deleted';

-- CreateTable
CREATE TABLE "LegalHold" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "scope" "HoldScope" NOT NULL,
    "targetId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "setBy" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL,
    "liftedBy" TEXT,
    "liftedAt" TIMESTAMP(3),
    "liftReason" TEXT,

    CONSTRAINT "LegalHold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LegalHold_workspaceId_scope_targetId_idx" ON "LegalHold"("workspaceId", "scope", "targetId");

-- AddForeignKey
ALTER TABLE "LegalHold" ADD CONSTRAINT "LegalHold_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "ChannelPolicy" ADD COLUMN     "setFields" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Rows written before this release copied every setting they had: they set them all.
UPDATE "ChannelPolicy" SET "setFields" =
  ARRAY['interception', 'acceptedKinds', 'cardLifetimeSeconds', 'identifierPattern', 'membersMayView', 'requireMfa', 'consentRule']::TEXT[]
  || CASE WHEN "identifierIssuer" IS NULL THEN ARRAY[]::TEXT[] ELSE ARRAY['identifierIssuer']::TEXT[] END
  || CASE WHEN "retentionDays" IS NULL THEN ARRAY[]::TEXT[] ELSE ARRAY['retentionDays']::TEXT[] END;

-- An installation upgraded to this release keeps what it holds until an admin
-- sets a retention: only new workspaces start with Loupe's default.
UPDATE "ChannelPolicy" SET "setFields" = "setFields" || ARRAY['retentionDays']::TEXT[]
  WHERE "channelId" = '*' AND "retentionDays" IS NULL;
INSERT INTO "ChannelPolicy" ("id", "workspaceId", "channelId", "retentionDays", "setFields", "updatedBy", "updatedAt")
  SELECT gen_random_uuid()::TEXT, w."id", '*', NULL, ARRAY['retentionDays']::TEXT[], 'upgrade', CURRENT_TIMESTAMP
  FROM "Workspace" w
  WHERE NOT EXISTS (SELECT 1 FROM "ChannelPolicy" p WHERE p."workspaceId" = w."id" AND p."channelId" = '*');

-- Holds set before this release become legal holds (a workspace-wide one for the workspace default).
INSERT INTO "LegalHold" ("id", "workspaceId", "scope", "targetId", "reason", "setBy", "setAt")
  SELECT gen_random_uuid()::TEXT, "workspaceId", 'channel', "channelId", 'Held before this release', COALESCE("updatedBy", 'upgrade'), CURRENT_TIMESTAMP
  FROM "ChannelPolicy" WHERE "legalHold" = true;
INSERT INTO "LegalHold" ("id", "workspaceId", "scope", "targetId", "reason", "setBy", "setAt")
  SELECT gen_random_uuid()::TEXT, "workspaceId", 'asset', "id", 'Held before this release', 'upgrade', CURRENT_TIMESTAMP
  FROM "Asset" WHERE "legalHold" = true;

-- AlterTable
ALTER TABLE "Asset" DROP COLUMN "legalHold";

-- AlterTable
ALTER TABLE "ChannelPolicy" DROP COLUMN "legalHold";

-- AlterTable
ALTER TABLE "ViewerSession" ADD COLUMN     "groups" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_idx" ON "AuditEvent"("actorId");

-- CreateIndex
CREATE INDEX "AuditEvent_action_idx" ON "AuditEvent"("action");
