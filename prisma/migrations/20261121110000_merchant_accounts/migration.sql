-- CreateEnum
CREATE TYPE "MerchantTokenKind" AS ENUM ('SESSION', 'PASSWORD_RESET');

-- CreateTable
CREATE TABLE "merchant_accounts" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMP(3),
    "last_login_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "merchant_tokens" (
    "id" UUID NOT NULL,
    "shop_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "kind" "MerchantTokenKind" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "merchant_accounts_shop_id_key" ON "merchant_accounts"("shop_id");

-- CreateIndex
CREATE UNIQUE INDEX "merchant_accounts_email_key" ON "merchant_accounts"("email");

-- CreateIndex
CREATE UNIQUE INDEX "merchant_tokens_token_hash_key" ON "merchant_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "merchant_tokens_account_id_kind_idx" ON "merchant_tokens"("account_id", "kind");

-- AddForeignKey
ALTER TABLE "merchant_accounts" ADD CONSTRAINT "merchant_accounts_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "merchant_tokens" ADD CONSTRAINT "merchant_tokens_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "merchant_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

