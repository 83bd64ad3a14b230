-- Issue 13: consents are versioned and never edited in place. A logical
-- consent is a chain of versions; a change or a withdrawal adds the next
-- version and marks the one it supersedes (who, when, why as a code).

-- CreateEnum
CREATE TYPE "ConsentVersionKind" AS ENUM ('decision', 'withdrawal');

-- CreateEnum
CREATE TYPE "ConsentActorKind" AS ENUM ('chat_user', 'console_subject', 'operator');

-- CreateEnum
CREATE TYPE "ConsentChannel" AS ENUM ('chat_slack', 'chat_teams', 'console', 'cli');

-- CreateEnum
CREATE TYPE "ConsentChangeReason" AS ENUM ('patient_withdrew', 'patient_changed', 'recorded_in_error');

-- Existing rows keep what they say: each becomes version 1 of a chain of its
-- own (its id), recorded when it was created; a revoked row is superseded
-- (inactive) when and by whom it was revoked. Who recorded it, how, and why
-- it was revoked were never kept, so those stay unknown (null).
ALTER TABLE "Consent" RENAME COLUMN "createdAt" TO "recordedAt";
ALTER TABLE "Consent" RENAME COLUMN "revokedAt" TO "supersededAt";
ALTER TABLE "Consent" RENAME COLUMN "revokedBy" TO "supersededBy";
ALTER TABLE "Consent"
ADD COLUMN     "chainId" TEXT,
ADD COLUMN     "version" INTEGER,
ADD COLUMN     "kind" "ConsentVersionKind" NOT NULL DEFAULT 'decision',
ADD COLUMN     "recordedByKind" "ConsentActorKind",
ADD COLUMN     "recordedVia" "ConsentChannel",
ADD COLUMN     "evidenceAssetId" TEXT,
ADD COLUMN     "supersededByKind" "ConsentActorKind",
ADD COLUMN     "supersededReason" "ConsentChangeReason",
ALTER COLUMN "decision" DROP NOT NULL;
UPDATE "Consent" SET "chainId" = "id", "version" = 1;
ALTER TABLE "Consent" ALTER COLUMN "chainId" SET NOT NULL, ALTER COLUMN "version" SET NOT NULL, ALTER COLUMN "version" SET DEFAULT 1;

-- CreateIndex
CREATE UNIQUE INDEX "Consent_chainId_version_key" ON "Consent"("chainId", "version");

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_evidenceAssetId_fkey" FOREIGN KEY ("evidenceAssetId") REFERENCES "Asset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A withdrawal grants nothing; every other version is a permit or a deny.
-- (Prisma does not model check constraints; they hold under any client.)
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_decision_kind_check" CHECK (("kind" = 'withdrawal') = ("decision" IS NULL));
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_version_check" CHECK ("version" >= 1);
