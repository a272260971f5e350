// Sequence sets (RFC 9051 §9, sequence-set): "1:3,7,9:*", of message
// sequence numbers or UIDs, '*' standing for the largest in use.

/** One range of a set; `*` is Infinity until resolved against the mailbox. */
export interface Range {
  from: number;
  to: number;
}

const NUMBER = /^[1-9]\d{0,9}$/;

/** The ranges of `text`, or null when it is not a sequence set. */
export function parseSequenceSet(text: string): Range[] | null {
  const ranges: Range[] = [];
  for (const item of text.split(",")) {
    const [a, b, extra] = item.split(":");
    if (extra !== undefined || a === undefined) return null;
    const from = parseNumber(a);
    const to = b === undefined ? from : parseNumber(b);
    if (from === null || to === null) return null;
    ranges.push({ from: Math.min(from, to), to: Math.max(from, to) });
  }
  return ranges;
}

function parseNumber(text: string): number | null {
  if (text === "*") return Infinity;
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return n <= 0xffffffff ? n : null;
}

/**
 * Whether `n` lies in `ranges`, where '*' is `largest` (RFC 9051 §9: "*"
 * means the largest number in use, so "10:*" on a mailbox of 5 is 5:10).
 */
export function inSequenceSet(
  ranges: readonly Range[],
  n: number,
  largest: number,
): boolean {
  for (const range of ranges) {
    const a = range.from === Infinity ? largest : range.from;
    const b = range.to === Infinity ? largest : range.to;
    if (n >= Math.min(a, b) && n <= Math.max(a, b)) return true;
  }
  return false;
}

/** A compact set for `numbers` (ascending): "1:3,7". */
export function formatSequenceSet(numbers: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j === i ? `${numbers[i]}` : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return out.join(",");
}
