/** Resource ids chosen by users end up in storage keys (S3 prefixes, DynamoDB keys): keep them plain. */
import { BadRequestError } from '../errors.ts';

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,256}$/;

/** Same rule as Cloudify: letters, digits, `-`, `.` and `_`. */
export function checkResourceId(kind: string, id: string): void {
  if (!ID_PATTERN.test(id) || id === '.' || id === '..') {
    throw new BadRequestError(
      `The ${kind} id \`${id}\` contains illegal characters or is too long: only letters, digits and the ` +
        "characters '-', '.' and '_' are allowed (1 to 256 characters)",
    );
  }
}
