// The chat stream over a real HTTP/1.1 connection: a client that asks to close the connection
// gets it closed once the stream ends (the route used to answer `connection: keep-alive` over the
// client's `close`, so a client that reads to the close waited for the idle timeout), and a
// client that keeps it alive can send its next request on the same socket.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { testDbKinds } from '../../../test/databases.js';
import { authHeader } from '../../../test/test-app.js';
import { setupChatTest } from './chat.test-support.js';

const STREAM_END = 'data: [DONE]\n\n\r\n0\r\n\r\n';

/** Writes requests on one socket; answers each response's head as its stream ends, and whether the server then closed. */
function exchange(baseUrl: string, requests: string[]): Promise<{ heads: string[]; closedByServer: boolean }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const heads: string[] = [];
    let data = '';
    const socket = net.connect(Number(port), hostname, () => socket.write(requests[0]!));
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (!data.endsWith(STREAM_END)) return;
      heads.push(data.split('\r\n\r\n')[0]!);
      data = '';
      const next = requests[heads.length];
      // Written, never ended: a half-closed socket would itself tell the server to close.
      if (next) socket.write(next);
      else if (/^connection: keep-alive$/im.test(heads.at(-1)!)) {
        socket.destroy();
        resolve({ heads, closedByServer: false });
      }
    });
    socket.on('end', () => {
      socket.destroy();
      resolve({ heads, closedByServer: true });
    });
  });
}

describe.each(testDbKinds())('the chat stream over HTTP/1.1 on %s', (kind) => {
  const ctx = setupChatTest(kind, { listen: true });
  const chatRequest = (connection?: string) => {
    const body = JSON.stringify({ model: 'demo', content: 'Hello' });
    const headers = [
      'POST /api/chat HTTP/1.1',
      'Host: localhost',
      `Authorization: ${authHeader(ctx.user).authorization}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...(connection ? [`Connection: ${connection}`] : []),
    ];
    return `${headers.join('\r\n')}\r\n\r\n${body}`;
  };

  it('closes the connection after the stream when the client asked to close it', async () => {
    const { heads, closedByServer } = await exchange(ctx.url, [chatRequest('close')]);
    expect(heads[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(heads[0]).toMatch(/^connection: close$/im);
    expect(closedByServer).toBe(true);
  });

  it('keeps the connection for the next request when the client did not ask to close it', async () => {
    const { heads, closedByServer } = await exchange(ctx.url, [chatRequest(), chatRequest('keep-alive')]);
    expect(heads).toHaveLength(2);
    for (const head of heads) expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(closedByServer).toBe(false);
  });
});
