// How responsive the chat page stays while a long reply streams in: the real server (the built
// web app in web/dist) and Debian's Chromium, one desktop page signed up through the UI. While a
// reply streams, a probe in the page records how late a 50 ms timer fires and the long tasks on
// the main thread; then the same probe runs for as long again on the same page, idle, as the
// baseline. Two replies: the demo model's long answer, and a reply several times longer from the
// fake upstream through the OpenAI adapter (the demo's is under a thousand tokens).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser } from '../e2e/support/chromium.js';
import { freePort, serverEnv, startServer, type RunningServer } from '../e2e/support/server.js';
import { composeDemoReply } from '../server/src/lib/model-calls/providers/demo-reply.js';
import { countTextTokens } from '../server/src/lib/model-calls/tokenizer.js';
import { startFakeUpstream } from '../server/test/fake-upstream.js';
import { startProbe, type ProbeRecord } from './page-probe.js';

export const RESPONSIVENESS_OPTIONS = {
  /** Pause between two words, for the demo model and the fake upstream alike (about 100 words/s). */
  tokenDelayMs: 10,
  /** The long upstream reply is the demo's long answer this many times, each under a heading. */
  upstreamRepeats: 4,
};

const DEMO_PROMPT = 'Please give me a long answer.';
const UPSTREAM_MODEL = 'gpt-4o-mini';

export interface ProbeStats {
  seconds: number;
  probes: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  longTasks: number;
  longTaskTotalMs: number;
  longTaskMaxMs: number;
}

export interface ReplyResult {
  label: string;
  chars: number;
  /** Output tokens the server metered for the reply (gpt-tokenizer count for both models). */
  tokens: number;
  /** text-delta parts the page received. */
  deltas: number;
  status: string;
  /** Probed from pressing Send to the Send button being back: its seconds are the stream's wall time. */
  streaming: ProbeStats;
  idle: ProbeStats;
}

export type WebResponsivenessResult = { skipped: string } | { options: typeof RESPONSIVENESS_OPTIONS; replies: ReplyResult[]; pageErrors: string[] };

/** Nearest-rank quantile. */
function quantile(xs: number[], q: number) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function stats(r: ProbeRecord): ProbeStats {
  return {
    seconds: r.ms / 1000,
    probes: r.delays.length,
    medianMs: quantile(r.delays, 0.5),
    p95Ms: quantile(r.delays, 0.95),
    maxMs: Math.max(0, ...r.delays),
    longTasks: r.tasks.length,
    longTaskTotalMs: r.tasks.reduce((a, b) => a + b, 0),
    longTaskMaxMs: Math.max(0, ...r.tasks),
  };
}

/** What the page was sent: the UI message stream's text deltas, and the status and usage at its end. */
function readChatStream(body: string) {
  let text = '';
  let deltas = 0;
  let tokens = 0;
  let status = 'no end';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const part = JSON.parse(line.slice('data: '.length));
    if (part.type === 'text-delta') {
      text += part.delta;
      deltas += 1;
    } else if (part.type === 'message-metadata') {
      status = part.messageMetadata.status;
      tokens = part.messageMetadata.usage.output_tokens;
    }
  }
  return { chars: text.length, tokens, deltas, status };
}

async function signUp(page: Page) {
  await page.goto('/register');
  await page.getByLabel('Email', { exact: true }).fill(`bench-${Date.now().toString(36)}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('Message', { exact: true }).waitFor();
}

/** Sends a message in a new conversation, probing the page while the reply streams and then while idle. */
async function measureReply(page: Page, label: string, model: string, prompt: string): Promise<ReplyResult> {
  await page.getByRole('link', { name: 'New chat' }).click();
  await page.getByLabel('Model', { exact: true }).selectOption(model);
  await page.getByLabel('Message', { exact: true }).fill(prompt);
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/chat');
  const stopStreaming = await startProbe(page);
  await page.getByRole('button', { name: 'Send message' }).click();
  const res = await response;
  await res.finished();
  await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 120_000 });
  const streaming = stats(await stopStreaming());
  const reply = readChatStream(await res.text());

  const stopIdle = await startProbe(page);
  await new Promise((r) => setTimeout(r, streaming.seconds * 1000));
  const idle = stats(await stopIdle());
  return { label, ...reply, streaming, idle };
}

export async function benchWebResponsiveness(options = RESPONSIVENESS_OPTIONS): Promise<WebResponsivenessResult> {
  if (!hasChromium()) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` };
  const demoLong = composeDemoReply({ system: undefined, messages: [{ role: 'user', content: DEMO_PROMPT }] });
  const upstreamText = Array.from({ length: options.upstreamRepeats }, (_, i) => `## Part ${i + 1}\n\n${demoLong}`).join('\n\n');
  const upstream = await startFakeUpstream();
  const dataDir = mkdtempSync(join(tmpdir(), 'quota-chat-bench-web-'));
  // The free plan (a new sign-up's) may use the fake upstream's model too.
  writeFileSync(join(dataDir, 'tiers.json'), JSON.stringify({ free: { models: ['demo', UPSTREAM_MODEL] } }));
  const env = serverEnv({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMO_TOKEN_DELAY_MS: String(options.tokenDelayMs),
    TIER_LIMITS_FILE: join(dataDir, 'tiers.json'),
    TIER_FREE_MONTHLY_TOKENS: '10000000',
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: upstream.baseUrl,
    OPENAI_MODELS: UPSTREAM_MODEL,
  });
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer(env, await freePort());
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await signUp(page);

    // Warm-up, not measured: the chat's code compiled and the code highlighter (loaded with the
    // first code block of a session) in place, so both replies are measured in the same state.
    upstream.reset({ text: 'Warming up:\n\n```ts\nconst x = 1;\n```\n' });
    await measureReply(page, 'warm-up', UPSTREAM_MODEL, 'Hello');

    const replies = [await measureReply(page, `demo model, "${DEMO_PROMPT}"`, 'demo', DEMO_PROMPT)];
    // Usage as the demo model counts it, so that the token columns compare.
    upstream.reset({ text: upstreamText, tokenDelayMs: options.tokenDelayMs, usage: { inputTokens: 10, outputTokens: countTextTokens(upstreamText) } });
    replies.push(await measureReply(page, `fake upstream (${UPSTREAM_MODEL}), demo answer x${options.upstreamRepeats}`, UPSTREAM_MODEL, 'Write a lot'));
    return { options, replies, pageErrors };
  } finally {
    await browser?.close();
    await server?.stop();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The results as markdown: one table, a streaming and an idle row per reply, and a line on each column. */
export function webResponsivenessReport(r: WebResponsivenessResult): string[] {
  const title = '## Web app: how responsive the chat page stays while a long reply streams';
  if ('skipped' in r) return [title, '', `Not measured: ${r.skipped}.`];
  const ms = (x: number) => x.toFixed(1);
  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const probeCells = (s: ProbeStats) => [s.seconds.toFixed(1), s.probes, ms(s.medianMs), ms(s.p95Ms), ms(s.maxMs)];
  const taskCells = (s: ProbeStats) => [s.longTasks, ms(s.longTaskTotalMs), ms(s.longTaskMaxMs)];
  return [
    title,
    '',
    `Chromium ${CHROMIUM}, headless, 1280x800, the production build in web/dist served by the real server; one word every ${r.options.tokenDelayMs} ms.`,
    '',
    '| reply | tokens | characters | text deltas | page | s | probes | lateness median ms | p95 ms | max ms | p95 streaming / idle | long tasks | long tasks total ms | longest ms |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.replies.flatMap((x) => [
      row([
        x.status === 'complete' ? x.label : `${x.label} (${x.status})`,
        x.tokens,
        x.chars,
        x.deltas,
        'streaming',
        ...probeCells(x.streaming),
        (x.streaming.p95Ms / Math.max(x.idle.p95Ms, 0.1)).toFixed(1),
        ...taskCells(x.streaming),
      ]),
      row(['', '', '', '', 'idle', ...probeCells(x.idle), '', ...taskCells(x.idle)]),
    ]),
    '',
    `- reply: a new conversation each; the demo model's long answer, and that answer ${r.options.upstreamRepeats} times from the fake upstream through the OpenAI adapter (the demo's is the longest it gives). A warm-up reply with a code block comes first, so the code highlighter is already loaded.`,
    '- tokens: output tokens the server metered (gpt-tokenizer for both); characters: of the markdown text streamed; text deltas: text-delta parts the page received.',
    '- page, s: `streaming` from pressing Send to the Send button being back (the whole reply received and rendered), the wall time of the stream; `idle` right after, on the same page with the reply shown, for as long again.',
    '- probes, lateness median / p95 / max ms: a timer in the page due every 50 ms records how late it fires, i.e. how long the main thread was busy when it was due, which is about how long a key press would wait; on an idle page the median is well under 1 ms.',
    '- p95 streaming / idle: the p95 lateness while streaming divided by that while idle (idle under 0.1 ms counts as 0.1); while both are a few ms the ratio is mostly noise.',
    "- long tasks, total ms, longest ms: the main thread's tasks over 50 ms (PerformanceObserver 'longtask') that started while the probe ran; each one is a moment the page could not answer input.",
    ...(r.pageErrors.length ? [`- errors in the page: ${r.pageErrors.join('; ')}`] : []),
  ];
}
