// Markdown for messages, rendered safely: react-markdown never uses innerHTML, raw HTML in the
// text is not turned into elements, rehype-sanitize (GitHub's allow-list) drops anything unsafe
// that plugins might produce, and defaultUrlTransform empties javascript:, vbscript: and data:
// URLs. Sanitising runs before highlighting so that only highlight.js's own classes are added.
//
// highlight.js is a third of the chat's JavaScript, so it loads on demand: the first message with
// a code fence fetches it, code shows plain until then and is highlighted a moment later.
import { memo, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import Markdown, { defaultUrlTransform, type Components, type Options } from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { Icon } from '../../components/icon';
import { splitMarkdownBlocks } from './markdown-blocks';

type PluggableList = NonNullable<Options['rehypePlugins']>;

const remarkPlugins: PluggableList = [remarkGfm];
const plainPlugins: PluggableList = [rehypeSanitize];
let highlightPlugins: PluggableList | null = null;
let highlightLoading: Promise<void> | null = null;
const highlightListeners = new Set<() => void>();

export function loadHighlighter(): Promise<void> {
  highlightLoading ??= import('rehype-highlight').then(
    (m) => {
      highlightPlugins = [rehypeSanitize, [m.default, { detect: false }]];
      for (const l of highlightListeners) l();
    },
    () => {
      highlightLoading = null; // offline: code stays plain; a later message tries again
    },
  );
  return highlightLoading;
}

function useRehypePlugins(text: string): PluggableList {
  const hasCode = /(^|\n) {0,3}(```|~~~)/.test(text);
  const plugins = useSyncExternalStore(
    (l) => {
      highlightListeners.add(l);
      return () => highlightListeners.delete(l);
    },
    () => highlightPlugins,
  );
  useEffect(() => {
    if (hasCode && !plugins) void loadHighlighter();
  }, [hasCode, plugins]);
  return hasCode && plugins ? plugins : plainPlugins;
}

function CodeBlock({ node, children, ...props }: React.ComponentProps<'pre'> & { node?: unknown }) {
  const ref = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const language = languageOf(node);

  async function copy() {
    const text = ref.current?.textContent ?? '';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      fallbackCopy(ref.current);
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 1500);
  }

  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{language ?? 'code'}</span>
        <button type="button" className="button ghost small" onClick={() => void copy()} aria-label={copied ? 'Copied' : 'Copy code'}>
          <Icon name={copied ? 'check' : 'copy'} size={14} />
          <span aria-hidden="true">{copied ? 'Copied' : 'Copy'}</span>
        </button>
      </div>
      <pre ref={ref} {...props}>
        {children}
      </pre>
    </div>
  );
}

const components: Components = {
  pre: CodeBlock,
  a: ({ node: _node, href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
        {children}
      </a>
    ) : (
      <span className="inert-link">{children}</span>
    ),
  // The CSP allows same-origin images only, and remote images would track the reader: show the
  // image as a link instead.
  img: ({ node: _node, src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow ugc" className="image-link">
        [image: {alt || src}]
      </a>
    ) : (
      <span className="inert-link">[image{alt ? `: ${alt}` : ''}]</span>
    ),
  table: ({ node: _node, ...props }) => (
    <div className="table-scroll">
      <table {...props} />
    </div>
  ),
};

export const SafeMarkdown = memo(function SafeMarkdown({ text }: { text: string }) {
  const rehypePlugins = useRehypePlugins(text);
  return (
    <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components} urlTransform={defaultUrlTransform}>
      {text}
    </Markdown>
  );
});

/** One memoised render per block: as a reply grows, only its last block is parsed again. */
export function BlockMarkdown({ text }: { text: string }) {
  const blocks = useMemo(() => splitMarkdownBlocks(text), [text]);
  return (
    <>
      {blocks.map((block, i) => (
        <SafeMarkdown key={i} text={block} />
      ))}
    </>
  );
}

/** Reference-style link definitions and footnotes tie blocks together. */
const CROSS_BLOCK = /^ {0,3}\[[^\]\n]+\]:/m;

/**
 * A message's markdown. Rendered block by block, while it streams and after: the blocks give the
 * same elements as one whole parse, and keeping them means the end of a long reply costs nothing
 * (re-parsing the whole of it in one go was a 65 ms main-thread task, bench/web-responsiveness.ts).
 * Only a finished text whose links or footnotes refer across blocks is parsed whole.
 */
export function MessageMarkdown({ text, streaming }: { text: string; streaming: boolean }) {
  return !streaming && CROSS_BLOCK.test(text) ? <SafeMarkdown text={text} /> : <BlockMarkdown text={text} />;
}

function languageOf(node: unknown): string | null {
  const code = (node as { children?: { properties?: { className?: unknown } }[] } | undefined)?.children?.[0];
  const classes = code?.properties?.className;
  if (!Array.isArray(classes)) return null;
  const lang = classes.find((c): c is string => typeof c === 'string' && c.startsWith('language-'));
  return lang ? lang.slice('language-'.length) : null;
}

function fallbackCopy(el: HTMLElement | null) {
  if (!el) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  document.execCommand('copy');
  selection?.removeAllRanges();
}
