-- AlterTable
ALTER TABLE "LoginAttempt" ADD COLUMN     "browserHash" TEXT NOT NULL DEFAULT '';
