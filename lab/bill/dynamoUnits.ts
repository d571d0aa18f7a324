/**
 * DynamoDB on-demand request units of one item read or write
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/capacity-mode.html): a write
 * costs one unit per started KB; a strongly consistent read one unit per started 4 KB, an
 * eventually consistent read half that.
 */

function checkBytes(itemBytes: number): void {
  if (!Number.isFinite(itemBytes) || itemBytes <= 0)
    throw new Error(`item size must be a number of bytes > 0, got ${itemBytes}`);
}

export function writeUnits(itemBytes: number): number {
  checkBytes(itemBytes);
  return Math.ceil(itemBytes / 1024);
}

export function readUnits(itemBytes: number, consistency: 'strong' | 'eventual'): number {
  checkBytes(itemBytes);
  const units = Math.ceil(itemBytes / 4096);
  return consistency === 'strong' ? units : units / 2;
}
