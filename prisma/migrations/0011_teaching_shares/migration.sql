-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "BlobKind" ADD VALUE 'teaching';
ALTER TYPE "BlobKind" ADD VALUE 'teaching_display';

-- CreateTable
CREATE TABLE "TeachingShare" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "cardId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "TeachingShare_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TeachingShare_tokenHash_key" ON "TeachingShare"("tokenHash");

-- CreateIndex
CREATE INDEX "TeachingShare_assetId_idx" ON "TeachingShare"("assetId");

-- CreateIndex
CREATE INDEX "TeachingShare_workspaceId_createdAt_idx" ON "TeachingShare"("workspaceId", "createdAt");
