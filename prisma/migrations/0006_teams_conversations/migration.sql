-- CreateEnum
CREATE TYPE "ConversationKind" AS ENUM ('channel', 'groupChat', 'personal');

-- AlterEnum
ALTER TYPE "DataKeyPurpose" ADD VALUE 'source_locator';

-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "sourceLocator" BYTEA,
ADD COLUMN     "sourceLocatorKeyId" TEXT;

-- CreateTable
CREATE TABLE "ChatConversation" (
    "workspaceId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "kind" "ConversationKind" NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "teamId" TEXT,
    "userId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatConversation_pkey" PRIMARY KEY ("workspaceId","conversationId")
);

-- CreateIndex
CREATE INDEX "ChatConversation_workspaceId_userId_idx" ON "ChatConversation"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Asset_sourceLocatorKeyId_key" ON "Asset"("sourceLocatorKeyId");

-- AddForeignKey
ALTER TABLE "Asset" ADD CONSTRAINT "Asset_sourceLocatorKeyId_fkey" FOREIGN KEY ("sourceLocatorKeyId") REFERENCES "DataKey"("id") ON DELETE SET NULL ON UPDATE CASCADE;
