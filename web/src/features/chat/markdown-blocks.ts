// Splits markdown into top-level blocks so that a streaming reply re-parses only its last block:
// every earlier block keeps its text, so its memoised render is reused. Fenced code stays whole;
// indented continuations and loose list items stay with the block they belong to.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])\s/;

export function splitMarkdownBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let blankBefore = false;
  let isList = false;

  const flush = () => {
    if (current.length) blocks.push(current.join('\n'));
    current = [];
    isList = false;
  };

  for (const line of text.split('\n')) {
    if (fence) {
      current.push(line);
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && line.trim() === close[1]) fence = null;
      continue;
    }
    if (line.trim() === '') {
      if (current.length) blankBefore = true;
      continue;
    }
    if (blankBefore) {
      blankBefore = false;
      const continues = /^(\s{2,}|\t)/.test(line) || (isList && LIST_ITEM.test(line));
      if (continues) current.push('');
      else flush();
    }
    const open = FENCE.exec(line);
    if (open) {
      if (current.length && !isList) flush();
      fence = open[1]!;
    }
    if (current.length === 0 && LIST_ITEM.test(line)) isList = true;
    current.push(line);
  }
  flush();
  return blocks;
}
