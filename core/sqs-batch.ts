/**
 * Runs an SQS batch the way a Lambda event source with ReportBatchItemFailures expects: every record
 * is tried, and the ones that threw are reported so that only they are delivered again.
 */
export interface BatchRecord {
  messageId: string;
  body: string;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export async function processBatch(
  records: readonly BatchRecord[],
  handle: (body: string) => Promise<void>,
  onError: (record: BatchRecord, err: unknown) => void,
): Promise<BatchResponse> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  // in order: a task's `started` and its `result` often share a batch
  for (const r of records) {
    try {
      await handle(r.body);
    } catch (err) {
      onError(r, err);
      batchItemFailures.push({ itemIdentifier: r.messageId });
    }
  }
  return { batchItemFailures };
}
