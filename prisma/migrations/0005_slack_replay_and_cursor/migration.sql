-- CreateTable
CREATE TABLE "SeenRequest" (
    "signatureHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SeenRequest_pkey" PRIMARY KEY ("signatureHash")
);

-- CreateTable
CREATE TABLE "ChannelCursor" (
    "workspaceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "lastTs" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChannelCursor_pkey" PRIMARY KEY ("workspaceId","channelId")
);

-- CreateIndex
CREATE INDEX "SeenRequest_expiresAt_idx" ON "SeenRequest"("expiresAt");
