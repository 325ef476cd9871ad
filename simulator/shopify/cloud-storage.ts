/**
 * The Google Cloud Storage side of Shopify's bulk mutation flow: the bucket
 * that `stagedUploadsCreate` targets (a browser-style POST policy upload) and
 * the pre-signed URLs a finished bulk operation's results are downloaded
 * from. Neither request carries the shop's access token; they are
 * authorised by the form fields / URL signature the simulator issued.
 *
 * One storage is shared by every simulator in the process unless a simulator
 * is given its own, the way there is one GCS behind every shop. That lets a
 * test drive a simulator with a ManualClock while the msw handlers installed
 * for another simulator (the unit setup's) answer the storage requests.
 * Ownership is kept per shop state, so shops never see each other's files.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";

/** Where `stagedUploadsCreate` sends BULK_MUTATION_VARIABLES uploads. */
export const STAGED_UPLOADS_URL = "https://shopify-staged-uploads.storage.googleapis.com/";
const STAGED_UPLOADS_BUCKET = "shopify-staged-uploads";
/** Bulk operation results (`url`, `partialDataUrl`) are served below this prefix. */
export const BULK_RESULTS_URL_PREFIX = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/";
const RESULTS_FOLDER = "bulk-operation-outputs/";
/** Shopify's limit for a bulk mutation variables file. */
export const MAX_STAGED_UPLOAD_BYTES = 100 * 1024 * 1024;

const SERVICE_ACCOUNT = "merchant-assets@shopify-tiers.iam.gserviceaccount.com";
const ALGORITHM = "GOOG4-RSA-SHA256";
/** Pre-signed result URLs are valid for seven days (not enforced). */
const RESULT_URL_TTL_SECONDS = 7 * 24 * 3600;

export interface StagedUploadParameter {
  readonly name: string;
  readonly value: string;
}

export interface StorageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface IssuedTarget {
  /** The shop state that asked for the target (identity, not domain: two simulators may share a domain). */
  readonly owner: object;
  readonly parameters: readonly StagedUploadParameter[];
  readonly maxBytes: number;
}

interface StagedFile {
  readonly owner: object;
  readonly text: string;
}

interface StoredObject {
  readonly body: string;
  readonly contentType: string;
  readonly signature: string;
}

/** Fields covered by the signature: a changed value no longer matches it. */
const SIGNING_FIELDS = new Set(["policy", "x-goog-credential", "x-goog-algorithm", "x-goog-date", "x-goog-signature"]);

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const XML_HEADERS = { "content-type": "application/xml; charset=UTF-8" };
const XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.";

function xmlError(status: number, code: string, message: string, details?: string): StorageResponse {
  const extra = details === undefined ? "" : `<Details>${xmlEscape(details)}</Details>`;
  return {
    status,
    headers: XML_HEADERS,
    body: `${XML_DECLARATION}<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}</Error>`,
  };
}

/** `20261121T120000Z` */
function basicIsoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

function opaqueSignature(): string {
  // An RSA-2048 signature is 256 bytes; its hex form is what GCS issues.
  return randomBytes(256).toString("hex");
}

export class SimulatedCloudStorage {
  private readonly issued = new Map<string, IssuedTarget>();
  private readonly staged = new Map<string, StagedFile>();
  private readonly objects = new Map<string, StoredObject>();

  /**
   * A POST policy target for `key`, owned by `owner`. Parameters are in the
   * order Shopify returns them.
   */
  issueStagedUpload(options: {
    readonly owner: object;
    readonly key: string;
    readonly mimeType: string;
    readonly maxBytes: number;
    readonly now: number;
  }): { url: string; parameters: StagedUploadParameter[] } {
    const date = basicIsoDate(options.now);
    const credential = `${SERVICE_ACCOUNT}/${date.slice(0, 8)}/auto/storage/goog4_request`;
    const policy = Buffer.from(
      JSON.stringify({
        conditions: [
          { "Content-Type": options.mimeType },
          { success_action_status: "201" },
          { acl: "private" },
          ["content-length-range", 0, options.maxBytes],
          { bucket: STAGED_UPLOADS_BUCKET },
          { key: options.key },
          { "x-goog-date": date },
          { "x-goog-credential": credential },
          { "x-goog-algorithm": ALGORITHM },
        ],
        expiration: new Date(options.now + 24 * 3600 * 1000).toISOString(),
      }),
    ).toString("base64");
    const parameters: StagedUploadParameter[] = [
      { name: "key", value: options.key },
      { name: "Content-Type", value: options.mimeType },
      { name: "success_action_status", value: "201" },
      { name: "acl", value: "private" },
      { name: "policy", value: policy },
      { name: "x-goog-credential", value: credential },
      { name: "x-goog-algorithm", value: ALGORITHM },
      { name: "x-goog-date", value: date },
      { name: "x-goog-signature", value: opaqueSignature() },
    ];
    this.issued.set(options.key, { owner: options.owner, parameters, maxBytes: options.maxBytes });
    return { url: STAGED_UPLOADS_URL, parameters };
  }

  /**
   * `POST https://shopify-staged-uploads.storage.googleapis.com/` with
   * multipart/form-data: the issued parameters as fields, then `file`
   * (fields after `file` are ignored, as GCS does).
   */
  async receiveStagedPost(request: Request): Promise<StorageResponse> {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return xmlError(400, "InvalidArgument", "POST object expects Content-Type multipart/form-data");
    }
    const fields = new Map<string, string>();
    let file: Blob | string | undefined;
    for (const [name, value] of form) {
      if (name === "file") {
        file = value;
        break;
      }
      if (!fields.has(name)) fields.set(name, typeof value === "string" ? value : await value.text());
    }

    const key = fields.get("key");
    if (key === undefined) {
      return xmlError(400, "InvalidArgument", "Invalid argument.", "Bucket POST must contain a field named 'key'.");
    }
    const target = this.issued.get(key);
    if (!target) return xmlError(403, "AccessDenied", "Access denied.", `No upload policy was issued for ${key}.`);
    for (const { name, value } of target.parameters) {
      const sent = fields.get(name);
      if (SIGNING_FIELDS.has(name)) {
        if (sent === undefined) {
          const details = `Bucket POST must contain a field named '${name}'.`;
          return xmlError(400, "InvalidArgument", "Invalid argument.", details);
        }
        if (sent !== value) return xmlError(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
      } else if (sent !== value) {
        return xmlError(
          403,
          "AccessDenied",
          "Invalid according to Policy: Policy Condition failed",
          JSON.stringify(["eq", `$${name}`, value]),
        );
      }
    }
    if (file === undefined) {
      return xmlError(400, "InvalidArgument", "Invalid argument.", "Bucket POST must contain a field named 'file'.");
    }
    const size = typeof file === "string" ? Buffer.byteLength(file, "utf8") : file.size;
    if (size > target.maxBytes) {
      return xmlError(
        400,
        "EntityTooLarge",
        "Your proposed upload is larger than the maximum object size specified in your Policy Document.",
        `Content-length exceeds upper bound on range`,
      );
    }
    const text = typeof file === "string" ? file : await file.text();
    this.staged.set(key, { owner: target.owner, text });
    const etag = createHash("md5").update(text).digest("hex");
    const location = `${STAGED_UPLOADS_URL}${encodeURIComponent(key)}`;
    return {
      status: 201,
      headers: { ...XML_HEADERS, etag: `"${etag}"`, location },
      body:
        `${XML_DECLARATION}<PostResponse><Location>${xmlEscape(location)}</Location>` +
        `<Bucket>${STAGED_UPLOADS_BUCKET}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"${etag}"</ETag></PostResponse>`,
    };
  }

  /** The uploaded text at `key` when `owner` issued it and it was uploaded; otherwise undefined. */
  stagedFile(owner: object, key: string): string | undefined {
    const file = this.staged.get(key);
    return file && file.owner === owner ? file.text : undefined;
  }

  /** Stores a result file and returns its pre-signed download URL. */
  putObject(name: string, body: string, now: number, contentType = "application/jsonl"): string {
    const objectPath = `${RESULTS_FOLDER}${randomUUID()}-${name}`;
    const signature = opaqueSignature();
    this.objects.set(objectPath, { body, contentType, signature });
    const date = basicIsoDate(now);
    const query = new URLSearchParams({
      "X-Goog-Algorithm": ALGORITHM,
      "X-Goog-Credential": `${SERVICE_ACCOUNT}/${date.slice(0, 8)}/auto/storage/goog4_request`,
      "X-Goog-Date": date,
      "X-Goog-Expires": String(RESULT_URL_TTL_SECONDS),
      "X-Goog-SignedHeaders": "host",
      "X-Goog-Signature": signature,
    });
    return `${BULK_RESULTS_URL_PREFIX}${objectPath}?${query.toString()}`;
  }

  /** `GET` of a result URL. */
  getObject(url: string): StorageResponse {
    const parsed = new URL(url);
    const prefix = new URL(BULK_RESULTS_URL_PREFIX);
    const objectPath =
      parsed.origin === prefix.origin && parsed.pathname.startsWith(prefix.pathname)
        ? decodeURIComponent(parsed.pathname.slice(prefix.pathname.length))
        : undefined;
    const object = objectPath === undefined ? undefined : this.objects.get(objectPath);
    if (!object) return xmlError(404, "NoSuchKey", "The specified key does not exist.");
    const signature = parsed.searchParams.get("X-Goog-Signature");
    if (signature === null) {
      const details = "Anonymous caller does not have storage.objects.get access.";
      return xmlError(403, "AccessDenied", "Access denied.", details);
    }
    if (signature !== object.signature) return xmlError(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH);
    return {
      status: 200,
      headers: { "content-type": object.contentType, "content-length": String(Buffer.byteLength(object.body, "utf8")) },
      body: object.body,
    };
  }
}

const SHARED_KEY = Symbol.for("promo-app.shopify-simulator.cloud-storage");

/** The process-wide storage simulators use unless given their own. */
export function sharedCloudStorage(): SimulatedCloudStorage {
  const holder = globalThis as { [SHARED_KEY]?: SimulatedCloudStorage };
  return (holder[SHARED_KEY] ??= new SimulatedCloudStorage());
}
