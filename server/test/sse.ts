// Reads Server-Sent Events the way a client does: `data: <json>` events separated by a blank line,
// ending with `data: [DONE]`. parseSse takes a whole body (app.inject); readSse reads a live fetch
// response event by event, so a test can act in the middle of a stream (e.g. abort it).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SsePart = { type: string; [key: string]: any };

function parseEvent(block: string): SsePart | 'DONE' | undefined {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
  if (!data) return undefined;
  if (data === '[DONE]') return 'DONE';
  return JSON.parse(data) as SsePart;
}

export function parseSse(body: string): { parts: SsePart[]; done: boolean } {
  const parts: SsePart[] = [];
  let done = false;
  for (const block of body.split(/\r?\n\r?\n/)) {
    const event = parseEvent(block);
    if (event === 'DONE') done = true;
    else if (event) parts.push(event);
  }
  return { parts, done };
}

export async function* readSse(response: Response): AsyncGenerator<SsePart> {
  if (!response.body) throw new Error('response has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event === 'DONE') return;
      if (event) yield event;
    }
  }
}

/** The reply's text: its text-delta parts joined. */
export function textOf(parts: SsePart[]): string {
  return parts
    .filter((p) => p.type === 'text-delta')
    .map((p) => p.delta as string)
    .join('');
}
