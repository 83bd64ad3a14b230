-- AlterTable
ALTER TABLE "Asset" ADD COLUMN     "sourceMessageId" TEXT,
ALTER COLUMN "kind" DROP NOT NULL;

-- AlterTable
ALTER TABLE "ChannelPolicy" ADD COLUMN     "identifierIssuer" TEXT;
