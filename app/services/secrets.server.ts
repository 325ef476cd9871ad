// Secrets the app must be able to read back (a Magento integration token, the signing secret a store's events are
// checked with) are stored encrypted: AES-256-GCM under APP_ENCRYPTION_KEY, as "v1:<iv>:<tag>:<ciphertext>"
// (base64). Each value is bound to where it belongs (shop and purpose, as GCM's associated data), so a
// ciphertext copied to another shop's row or another column does not decrypt. Production refuses to start
// without a key (app/env.server.ts); development and tests use a fixed key that protects nothing.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "../env.server";

const VERSION = "v1";

/** The key outside production. Public on purpose: data encrypted with it is not protected. */
const DEVELOPMENT_KEY = createHash("sha256").update("promo-codes development key: not a secret").digest();

export class SecretError extends Error {
  override name = "SecretError";
}

export function appEncryptionKey(): Buffer {
  const configured = env().APP_ENCRYPTION_KEY;
  if (configured) return Buffer.from(configured, "base64");
  if (env().NODE_ENV === "production") throw new SecretError("APP_ENCRYPTION_KEY is required in production");
  return DEVELOPMENT_KEY;
}

/** Where a secret belongs, e.g. `<shop id>:magento-token`; decrypting elsewhere fails. */
export type SecretContext = string;

export function encryptSecret(plain: string, context: SecretContext, key: Buffer = appEncryptionKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(":");
}

export function decryptSecret(stored: string, context: SecretContext, key: Buffer = appEncryptionKey()): string {
  const [version, iv, tag, ciphertext] = stored.split(":");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new SecretError("Not an encrypted secret of a known version");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new SecretError("The secret cannot be decrypted: wrong key, wrong place, or altered", { cause: error });
  }
}

/** A new random signing secret (256 bits, URL-safe base64). */
export function generateSigningSecret(): string {
  return randomBytes(32).toString("base64url");
}
