-- CreateTable
CREATE TABLE "PatientAccessLink" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "issuedBy" TEXT NOT NULL,
    "issuedByName" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,
    "failedCodes" INTEGER NOT NULL DEFAULT 0,
    "lockedAt" TIMESTAMP(3),
    "codeUsedAt" TIMESTAMP(3),
    "sessionHash" TEXT,
    "sessionSeenAt" TIMESTAMP(3),
    "sessionEndsAt" TIMESTAMP(3),
    "uses" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "PatientAccessLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PatientAccessLink_tokenHash_key" ON "PatientAccessLink"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "PatientAccessLink_sessionHash_key" ON "PatientAccessLink"("sessionHash");

-- CreateIndex
CREATE INDEX "PatientAccessLink_patientId_idx" ON "PatientAccessLink"("patientId");

-- AddForeignKey
ALTER TABLE "PatientAccessLink" ADD CONSTRAINT "PatientAccessLink_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
