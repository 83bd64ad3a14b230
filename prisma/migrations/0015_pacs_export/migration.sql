-- CreateEnum
CREATE TYPE "PacsExportStatus" AS ENUM ('queued', 'sent', 'failed');

-- CreateTable
CREATE TABLE "PacsExport" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "status" "PacsExportStatus" NOT NULL DEFAULT 'queued',
    "copy" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 1,
    "sentAt" TIMESTAMP(3),
    "failureCode" TEXT,
    "studyInstanceUid" TEXT,
    "seriesInstanceUid" TEXT,
    "sopInstanceUid" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PacsExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PacsExport_assetId_key" ON "PacsExport"("assetId");

-- AddForeignKey
ALTER TABLE "PacsExport" ADD CONSTRAINT "PacsExport_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
