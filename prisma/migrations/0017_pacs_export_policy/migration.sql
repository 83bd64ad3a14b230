-- CreateEnum
CREATE TYPE "PacsExportMode" AS ENUM ('on_request', 'automatic');

-- AlterTable
ALTER TABLE "ChannelPolicy" ADD COLUMN     "pacsExport" "PacsExportMode" NOT NULL DEFAULT 'on_request';
