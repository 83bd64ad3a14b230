-- AlterTable
ALTER TABLE "Card" ADD COLUMN     "previewRef" TEXT;
