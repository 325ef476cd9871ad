-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "run_lease_until" TIMESTAMP(3),
ADD COLUMN     "run_token" UUID;

