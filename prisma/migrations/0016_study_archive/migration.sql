-- AlterEnum
ALTER TYPE "AssetKind" ADD VALUE 'dicom_study';

-- AlterEnum
ALTER TYPE "BlobKind" ADD VALUE 'instance';
