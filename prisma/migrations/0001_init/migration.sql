-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('slack', 'teams');

-- CreateEnum
CREATE TYPE "PreviewMode" AS ENUM ('none', 'deidentified');

-- CreateEnum
CREATE TYPE "ConsentRule" AS ENUM ('care_implied', 'always_required');

-- CreateEnum
CREATE TYPE "ConsultStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('requester', 'specialist', 'member');

-- CreateEnum
CREATE TYPE "AssetKind" AS ENUM ('photo', 'dicom_instance', 'dicom_series');

-- CreateEnum
CREATE TYPE "AssetStatus" AS ENUM ('received', 'processing', 'stored', 'failed', 'revoked', 'shredded');

-- CreateEnum
CREATE TYPE "RemovalState" AS ENUM ('pending', 'removed', 'requested', 'not_possible', 'failed');

-- CreateEnum
CREATE TYPE "BlobKind" AS ENUM ('original', 'derivative', 'preview');

-- CreateEnum
CREATE TYPE "DataKeyPurpose" AS ENUM ('blob', 'patient_phi', 'message_text', 'workspace_secret');

-- CreateEnum
CREATE TYPE "GrantSource" AS ENUM ('participant', 'invitation', 'channel_member', 'break_glass');

-- CreateEnum
CREATE TYPE "ConsentDecision" AS ENUM ('permit', 'deny');

-- CreateEnum
CREATE TYPE "CardState" AS ENUM ('pending', 'waiting_for_patient', 'active', 'expired', 'revoked');

-- CreateEnum
CREATE TYPE "IdentityLinkMethod" AS ENUM ('email', 'claim', 'entra_object_id');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('success', 'failure', 'denied');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'done', 'dead');

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "secretKeyId" TEXT,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChannelPolicy" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "interception" BOOLEAN NOT NULL DEFAULT false,
    "acceptedKinds" TEXT[] DEFAULT ARRAY['photo', 'dicom']::TEXT[],
    "cardLifetimeSeconds" INTEGER NOT NULL DEFAULT 172800,
    "previewMode" "PreviewMode" NOT NULL DEFAULT 'none',
    "patientLinkRequired" BOOLEAN NOT NULL DEFAULT true,
    "membersMayView" BOOLEAN NOT NULL DEFAULT false,
    "consentRule" "ConsentRule" NOT NULL DEFAULT 'care_implied',
    "requireMfa" BOOLEAN NOT NULL DEFAULT false,
    "identifierPattern" TEXT,
    "retentionDays" INTEGER,
    "legalHold" BOOLEAN NOT NULL DEFAULT false,
    "updatedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChannelPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "identifierIndex" TEXT NOT NULL,
    "phi" BYTEA NOT NULL,
    "phiKeyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consult" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "patientId" TEXT,
    "requesterId" TEXT NOT NULL,
    "status" "ConsultStatus" NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Consult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsultParticipant" (
    "id" TEXT NOT NULL,
    "consultId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "ParticipantRole" NOT NULL,
    "invitedBy" TEXT,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "ConsultParticipant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Asset" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "consultId" TEXT,
    "patientId" TEXT,
    "uploaderId" TEXT NOT NULL,
    "kind" "AssetKind" NOT NULL,
    "status" "AssetStatus" NOT NULL DEFAULT 'received',
    "sourceRef" TEXT NOT NULL,
    "removal" "RemovalState" NOT NULL DEFAULT 'pending',
    "removalDetail" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "burnedInText" BOOLEAN,
    "messageText" BYTEA,
    "messageTextKeyId" TEXT,
    "errorCode" TEXT,
    "legalHold" BOOLEAN NOT NULL DEFAULT false,
    "retainUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,
    "shreddedAt" TIMESTAMP(3),

    CONSTRAINT "Asset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Blob" (
    "id" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "kind" "BlobKind" NOT NULL,
    "part" INTEGER NOT NULL DEFAULT 0,
    "storageKey" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "plaintextSize" BIGINT NOT NULL,
    "ciphertextSize" BIGINT NOT NULL,
    "ciphertextSha256" TEXT NOT NULL,
    "dataKeyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataKey" (
    "id" TEXT NOT NULL,
    "purpose" "DataKeyPurpose" NOT NULL,
    "assetId" TEXT,
    "kekVersion" INTEGER NOT NULL,
    "wrapped" BYTEA,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrappedAt" TIMESTAMP(3),
    "destroyedAt" TIMESTAMP(3),

    CONSTRAINT "DataKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KeyVersion" (
    "version" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "KeyVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL,
    "consultId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "source" "GrantSource" NOT NULL,
    "grantedBy" TEXT,
    "parentGrantId" TEXT,
    "hop" INTEGER NOT NULL DEFAULT 0,
    "breakGlassReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "Grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "decision" "ConsentDecision" NOT NULL,
    "dataKinds" TEXT[],
    "purposes" TEXT[],
    "parties" TEXT[],
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validUntil" TIMESTAMP(3),
    "recordedBy" TEXT NOT NULL,
    "evidenceRef" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Card" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "assetId" TEXT NOT NULL,
    "consultId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "messageId" TEXT,
    "state" "CardState" NOT NULL DEFAULT 'pending',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Card_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LinkToken" (
    "id" TEXT NOT NULL,
    "cardId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "LinkToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ViewerSession" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "identityLinkId" TEXT,
    "oidcIssuer" TEXT NOT NULL,
    "oidcSubject" TEXT NOT NULL,
    "acr" TEXT,
    "amr" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idleTimeoutSeconds" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "ViewerSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdentityLink" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "chatUserId" TEXT NOT NULL,
    "oidcIssuer" TEXT NOT NULL,
    "oidcSubject" TEXT NOT NULL,
    "method" "IdentityLinkMethod" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verifiedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" BIGINT NOT NULL,
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "workspaceId" TEXT,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "outcome" "AuditOutcome" NOT NULL,
    "reason" TEXT,
    "patientId" TEXT,
    "assetId" TEXT,
    "consultId" TEXT,
    "sourceIp" TEXT,
    "requestId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "dedupeKey" TEXT,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_secretKeyId_key" ON "Workspace"("secretKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_platform_externalId_key" ON "Workspace"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelPolicy_workspaceId_channelId_key" ON "ChannelPolicy"("workspaceId", "channelId");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_phiKeyId_key" ON "Patient"("phiKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_workspaceId_identifierIndex_key" ON "Patient"("workspaceId", "identifierIndex");

-- CreateIndex
CREATE UNIQUE INDEX "Consult_workspaceId_channelId_threadId_key" ON "Consult"("workspaceId", "channelId", "threadId");

-- CreateIndex
CREATE UNIQUE INDEX "ConsultParticipant_consultId_userId_key" ON "ConsultParticipant"("consultId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Asset_messageTextKeyId_key" ON "Asset"("messageTextKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "Asset_workspaceId_sourceRef_key" ON "Asset"("workspaceId", "sourceRef");

-- CreateIndex
CREATE UNIQUE INDEX "Blob_storageKey_key" ON "Blob"("storageKey");

-- CreateIndex
CREATE UNIQUE INDEX "Blob_dataKeyId_key" ON "Blob"("dataKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "Blob_assetId_kind_part_key" ON "Blob"("assetId", "kind", "part");

-- CreateIndex
CREATE INDEX "DataKey_assetId_idx" ON "DataKey"("assetId");

-- CreateIndex
CREATE INDEX "DataKey_kekVersion_idx" ON "DataKey"("kekVersion");

-- CreateIndex
CREATE UNIQUE INDEX "KeyVersion_fingerprint_key" ON "KeyVersion"("fingerprint");

-- CreateIndex
CREATE INDEX "Grant_consultId_userId_idx" ON "Grant"("consultId", "userId");

-- CreateIndex
CREATE INDEX "Consent_patientId_idx" ON "Consent"("patientId");

-- CreateIndex
CREATE INDEX "Card_state_expiresAt_idx" ON "Card"("state", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Card_assetId_consultId_key" ON "Card"("assetId", "consultId");

-- CreateIndex
CREATE UNIQUE INDEX "LinkToken_tokenHash_key" ON "LinkToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "ViewerSession_tokenHash_key" ON "ViewerSession"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityLink_workspaceId_oidcIssuer_oidcSubject_key" ON "IdentityLink"("workspaceId", "oidcIssuer", "oidcSubject");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityLink_workspaceId_chatUserId_key" ON "IdentityLink"("workspaceId", "chatUserId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_id_key" ON "AuditEvent"("id");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_hash_key" ON "AuditEvent"("hash");

-- CreateIndex
CREATE INDEX "AuditEvent_patientId_idx" ON "AuditEvent"("patientId");

-- CreateIndex
CREATE INDEX "AuditEvent_assetId_idx" ON "AuditEvent"("assetId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Job_dedupeKey_key" ON "Job"("dedupeKey");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- AddForeignKey
ALTER TABLE "Workspace" ADD CONSTRAINT "Workspace_secretKeyId_fkey" FOREIGN KEY ("secretKeyId") REFERENCES "DataKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelPolicy" ADD CONSTRAINT "ChannelPolicy_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Patient" ADD CONSTRAINT "Patient_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Patient" ADD CONSTRAINT "Patient_phiKeyId_fkey" FOREIGN KEY ("phiKeyId") REFERENCES "DataKey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consult" ADD CONSTRAINT "Consult_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consult" ADD CONSTRAINT "Consult_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsultParticipant" ADD CONSTRAINT "ConsultParticipant_consultId_fkey" FOREIGN KEY ("consultId") REFERENCES "Consult"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_consultId_fkey" FOREIGN KEY ("consultId") REFERENCES "Consult"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_messageTextKeyId_fkey" FOREIGN KEY ("messageTextKeyId") REFERENCES "DataKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Blob" ADD CONSTRAINT "Blob_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Blob" ADD CONSTRAINT "Blob_dataKeyId_fkey" FOREIGN KEY ("dataKeyId") REFERENCES "DataKey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DataKey" ADD CONSTRAINT "DataKey_kekVersion_fkey" FOREIGN KEY ("kekVersion") REFERENCES "KeyVersion"("version") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_consultId_fkey" FOREIGN KEY ("consultId") REFERENCES "Consult"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_parentGrantId_fkey" FOREIGN KEY ("parentGrantId") REFERENCES "Grant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Card" ADD CONSTRAINT "Card_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Card" ADD CONSTRAINT "Card_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES "Asset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Card" ADD CONSTRAINT "Card_consultId_fkey" FOREIGN KEY ("consultId") REFERENCES "Consult"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LinkToken" ADD CONSTRAINT "LinkToken_cardId_fkey" FOREIGN KEY ("cardId") REFERENCES "Card"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ViewerSession" ADD CONSTRAINT "ViewerSession_identityLinkId_fkey" FOREIGN KEY ("identityLinkId") REFERENCES "IdentityLink"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IdentityLink" ADD CONSTRAINT "IdentityLink_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
