// What a browser downloads from the built web app (web/dist), route by route: the first load (the
// entry script and everything it imports statically) and each lazily loaded page on top of it.
// Sizes are gzip level 9, as the server sends them (web/vite.config.ts writes the .gz files).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ChunkSet {
  files: string[];
  rawBytes: number;
  gzipBytes: number;
}

export interface WebBundleReport {
  firstLoad: ChunkSet;
  /** A lazy chunk (by its name before the hash, e.g. "chat-page") with what it adds to the first load. */
  lazy: Record<string, ChunkSet>;
}

const STATIC_IMPORT = /(?:from|import)\s*"\.\/([^"]+\.js)"/g;

export function measureWebBundle(dist: string): WebBundleReport {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} has no index.html: run npm run build:web first`);
  const assets = join(dist, 'assets');
  const read = (file: string) => readFileSync(join(assets, file));

  /** The chunk and every chunk it imports statically, transitively. */
  const closure = (entry: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    for (const [, dep] of read(entry).toString('utf8').matchAll(STATIC_IMPORT)) closure(dep!, seen);
    return seen;
  };
  const measure = (files: Iterable<string>): ChunkSet => {
    const list = [...files].sort();
    return {
      files: list,
      rawBytes: list.reduce((n, f) => n + read(f).length, 0),
      gzipBytes: list.reduce((n, f) => n + gzipSync(read(f), { level: 9 }).length, 0),
    };
  };

  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const first = new Set<string>();
  for (const entry of entries) closure(entry, first);

  const lazy: Record<string, ChunkSet> = {};
  const jsFiles = readdirSync(assets).filter((f) => f.endsWith('.js'));
  for (const file of jsFiles) {
    // Only chunks something loads with import(): the pages and the code highlighter.
    const importer = jsFiles.find((f) => read(f).toString('utf8').includes(`import("./${file}")`));
    if (first.has(file) || !importer) continue;
    // What is already there when it loads: the first load, and the page that imports it.
    const loaded = first.has(importer) ? first : closure(importer, new Set(first));
    lazy[file.replace(/-[\w-]{8}\.js$/, '')] = measure([...closure(file)].filter((f) => !loaded.has(f)));
  }
  return { firstLoad: measure(first), lazy };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export function webBundleReport(r: WebBundleReport): string[] {
  const rows = Object.entries(r.lazy).sort(([a], [b]) => a.localeCompare(b));
  return [
    '## Web app: JavaScript a browser downloads',
    '',
    '| what | files | raw KiB | gzip KiB |',
    '| --- | ---: | ---: | ---: |',
    `| first load (log-in page) | ${r.firstLoad.files.length} | ${kb(r.firstLoad.rawBytes)} | ${kb(r.firstLoad.gzipBytes)} |`,
    ...rows.map(([name, s]) => `| + ${name} (lazy) | ${s.files.length} | ${kb(s.rawBytes)} | ${kb(s.gzipBytes)} |`),
    '',
    '- first load: the entry script of index.html and every chunk it imports statically; what a visitor downloads before the log-in page shows.',
    '- + name (lazy): what that page adds on top of the first load; the code highlighter is loaded by the chat page with the first code block, and counted on top of both.',
    '- gzip level 9, as the server sends the precompressed .gz files; brotli (.br, sent when the browser asks for it) is smaller still.',
  ];
}
