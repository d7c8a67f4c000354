// A conversation is titled from its first message, without a second model call: the first
// meaningful line, stripped of Markdown markers, cut at a word boundary.
const MAX_TITLE = 60;

export function titleFromMessage(content: string): string {
  const line =
    content
      .split('\n')
      .map((l) =>
        l
          .replace(/^[\s#>*\-`]+/, '')
          .replace(/[`*_~]/g, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .find(Boolean) ?? '';
  if (!line) return 'New conversation';
  if (line.length <= MAX_TITLE) return line;
  const cut = line.slice(0, MAX_TITLE - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_TITLE / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
