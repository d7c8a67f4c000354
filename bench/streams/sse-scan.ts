// Reading a reply cheaply, the same way for every target: no JSON parsing, only a search for the
// text fields and the end marker of the wire format. The fake upstream's words contain no
// character JSON escapes, so a text field ends at the next quote.
import type { WireFormat } from './protocol.js';

const TEXT_FIELD: Record<WireFormat, string> = {
  // chat.completion.chunk delta.content, or chat.completion message.content
  openai: '"content":"',
  // {"type":"text-delta","id":...,"delta":"..."}
  ui: '"delta":"',
};

const END_MARKER: Record<WireFormat, string> = {
  openai: '"finish_reason":"stop"',
  ui: '"type":"finish"',
};

/** Characters of text in these complete SSE events (or JSON body), and whether the end marker is among them. */
export function scanText(events: string, format: WireFormat): { text: number; finished: boolean } {
  const field = TEXT_FIELD[format];
  let text = 0;
  let at = events.indexOf(field);
  while (at !== -1) {
    const start = at + field.length;
    const end = events.indexOf('"', start);
    if (end === -1) break;
    text += end - start;
    at = events.indexOf(field, end + 1);
  }
  return { text, finished: events.includes(END_MARKER[format]) };
}
