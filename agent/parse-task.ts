/** Validation of a received task message body (agents and the central executor alike). */
import { TASK_MESSAGE, type TaskMessage } from '../core/messages.ts';

/** The task, or why the body is not one (JSON error or the fields zod refused). */
export function parseTask(body: string | undefined): TaskMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch (err) {
    return `body is not JSON: ${(err as Error).message}`;
  }
  const parsed = TASK_MESSAGE.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
