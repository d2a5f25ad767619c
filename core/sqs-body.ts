/**
 * The JSON of an SQS message body, ASCII only. SQS refuses some characters outright (U+FFFE, U+FFFF,
 * lone surrogates: easy to get from a script's binary output), and its emulators refuse more; every
 * non-ASCII character travels as a `\uXXXX` escape instead, which any JSON parser reads back.
 */
export function sqsBody(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
