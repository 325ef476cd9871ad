// Adding codes by upload: a file (.csv, .txt, .xlsx) or pasted text, with the progress while it runs and the
// report when it ends (accepted, duplicates, rejected lines with their line numbers and reasons).
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  DropZone,
  InlineError,
  InlineStack,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { formatBytes, plural } from "./format";
import type { ImportProgress, UploadOutcome } from "./import-types";
import { ImportReportDetails, notTakenSummary } from "./ImportReport";
import { RunProgress } from "./RunProgress";
import type { UploadState } from "./useImportProgress";

const ACCEPT = ".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export interface UploadCardProps {
  busy: boolean;
  onFile: (file: File) => void;
  onText: (text: string) => void;
}

export function UploadCard({ busy, onFile, onText }: UploadCardProps) {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [pasted, setPasted] = useState("");

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Upload codes
          </Text>
          <Text as="p" tone="subdued">
            A column named code (or coupon, voucher…) holds the codes; expiry, discount, tag and in-use columns are read
            when present. A file with a single column needs no header.
          </Text>
        </BlockStack>
        <DropZone
          label="Code file"
          labelHidden
          accept={ACCEPT}
          type="file"
          allowMultiple={false}
          disabled={busy}
          onDrop={(_all, accepted, rejected) => {
            if (accepted[0]) {
              setFile(accepted[0]);
              setFileError(null);
            } else if (rejected[0]) {
              setFile(null);
              setFileError(`"${rejected[0].name}" is not a .csv, .txt or .xlsx file.`);
            }
          }}
        >
          {file ? (
            <Box padding="400">
              <BlockStack gap="100" inlineAlign="center">
                <Text as="p" fontWeight="semibold" breakWord>
                  {file.name}
                </Text>
                <Text as="p" tone="subdued" variant="bodySm">
                  {formatBytes(file.size)} · drop another file to replace it
                </Text>
              </BlockStack>
            </Box>
          ) : (
            <DropZone.FileUpload actionTitle="Add file" actionHint="Accepts .csv, .txt and .xlsx" />
          )}
        </DropZone>
        {fileError ? <InlineError message={fileError} fieldID="code-file" /> : null}
        <InlineStack align="end">
          <Button
            variant="primary"
            disabled={!file || busy}
            onClick={() => {
              if (!file) return;
              onFile(file);
              setFile(null);
            }}
          >
            Upload file
          </Button>
        </InlineStack>
        <Divider />
        <TextField
          label="Or paste codes, one per line"
          value={pasted}
          onChange={setPasted}
          multiline={4}
          autoComplete="off"
          monospaced
          disabled={busy}
        />
        <InlineStack align="end">
          <Button
            disabled={!pasted.trim() || busy}
            onClick={() => {
              onText(pasted);
              setPasted("");
            }}
          >
            Add pasted codes
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function Outcome({ label, outcome, onDismiss }: { label: string; outcome: UploadOutcome; onDismiss: () => void }) {
  if (outcome.type === "error") {
    return (
      <Banner tone="critical" title="The upload failed" onDismiss={onDismiss}>
        <p>{outcome.message}</p>
      </Banner>
    );
  }
  if (outcome.type === "refused") {
    return (
      <Banner tone="critical" title={`${label} was refused; nothing was added`} onDismiss={onDismiss}>
        <p>{outcome.message}</p>
      </Banner>
    );
  }
  const r = outcome.report;
  const notTaken = notTakenSummary(r);
  return (
    <BlockStack gap="400">
      <Banner
        // Codes that arrived expired were most likely not meant to be uploaded: as worth a look as a rejected line.
        tone={notTaken || r.acceptedExpired > 0 ? "warning" : "success"}
        title={`${label}: ${plural(r.accepted, "code")} added`}
        onDismiss={onDismiss}
      >
        <p>{notTaken ? `${notTaken}; see the lines below.` : "Every line was taken."}</p>
      </Banner>
      <ImportReportDetails report={r} />
    </BlockStack>
  );
}

/** The running upload's progress, or how the last one ended. */
export function UploadStatus({
  state,
  progress,
  onDismiss,
}: {
  state: UploadState;
  progress: ImportProgress | null;
  onDismiss: () => void;
}) {
  if (state.phase === "idle") return null;
  if (state.phase === "finished") {
    return (
      <Card>
        <div data-testid="upload-result">
          <Outcome label={state.label} outcome={state.outcome} onDismiss={onDismiss} />
        </div>
      </Card>
    );
  }
  const bytesDone = progress?.bytesDone ?? 0;
  // Codes reach the pool in one step once the whole file is read (a refused file adds none).
  const detail =
    state.phase === "starting"
      ? "Starting…"
      : bytesDone >= state.bytesTotal && state.bytesTotal > 0
        ? `File read · adding ${plural(progress?.accepted ?? 0, "valid code")} to the pool…`
        : `${formatBytes(bytesDone)} of ${formatBytes(state.bytesTotal)} read · ${plural(progress?.accepted ?? 0, "valid code")} so far`;
  return (
    <Card>
      <RunProgress
        testId="upload-progress"
        label={`Uploading ${state.label}`}
        percent={progress?.percent ?? 0}
        detail={detail}
      />
    </Card>
  );
}
