import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageMarkdown, SafeMarkdown } from './markdown';
import { splitMarkdownBlocks } from './markdown-blocks';

describe('SafeMarkdown', () => {
  it('renders raw HTML as inert text, never as elements', () => {
    const { container } = render(<SafeMarkdown text={'Look: <img src=x onerror=alert(1)> and <script>alert(2)</script> <b onclick="x()">b</b>'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('[onerror], [onclick]')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('drops javascript:, vbscript: and data: URLs from links', () => {
    const { container } = render(
      <SafeMarkdown
        text={
          '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:msgbox) [d](data:text/html,<script>alert(1)</script>) [e](https://example.com/ok)'
        }
      />,
    );
    const hrefs = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://example.com/ok']);
    for (const a of container.querySelectorAll('a')) {
      expect(a.getAttribute('rel')).toContain('noopener');
      expect(a.getAttribute('target')).toBe('_blank');
    }
    expect(screen.getByText('a').tagName).toBe('SPAN');
  });

  it('shows images as links rather than loading them', () => {
    const { container } = render(<SafeMarkdown text={'![cat](https://example.com/cat.png) ![x](javascript:alert(1))'} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('a')?.getAttribute('href')).toBe('https://example.com/cat.png');
  });

  it('renders tables, lists and emphasis (GitHub flavour)', () => {
    const { container } = render(<SafeMarkdown text={'**bold** and ~~gone~~\n\n- one\n- two\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'} />);
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('del')?.textContent).toBe('gone');
    expect(container.querySelectorAll('ul li')).toHaveLength(2);
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
    expect(container.querySelectorAll('table td')).toHaveLength(2);
  });

  it('highlights fenced code once the highlighter has loaded, with a copy button', async () => {
    const { container } = render(<SafeMarkdown text={'```js\nconst answer = 42;\n```'} />);
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeTruthy();
    expect(container.querySelector('.code-lang')?.textContent).toBe('js');
    await waitFor(() => expect(container.querySelector('code .hljs-keyword')?.textContent).toBe('const'));
    expect(container.querySelector('pre')?.textContent).toBe('const answer = 42;\n');
  });
});

describe('MessageMarkdown', () => {
  const REPLY = [
    '## A heading',
    'Intro with **bold**, `code` and a [link](https://example.com).',
    '- tight\n- list',
    '1. first\n\n2. second, loose\n\n   continued',
    '```py\nx = 1\n\ny = 2\n```',
    '| a | b |\n|---|---|\n| 1 | 2 |',
    '> quoted\n> twice',
    'Outro.',
  ].join('\n\n');

  it('renders block by block the elements one whole parse renders', () => {
    // The whole parse puts a newline text node between blocks, which HTML ignores there.
    const elementsOf = (container: HTMLElement) => [...container.children].map((el) => el.outerHTML);
    const whole = elementsOf(render(<SafeMarkdown text={REPLY} />).container);
    expect(whole).toHaveLength(8);
    expect(elementsOf(render(<MessageMarkdown text={REPLY} streaming={false} />).container)).toEqual(whole);
  });

  it('keeps code fences whole while they stream', () => {
    const { container } = render(<MessageMarkdown text={'Intro\n\n```py\nx = 1\n\ny = 2\n```\n\nOutro **partial'} streaming />);
    expect(container.querySelectorAll('p')).toHaveLength(2);
    expect(container.querySelector('pre')?.textContent).toBe('x = 1\n\ny = 2\n');
  });

  it('keeps the elements it rendered when the reply ends: nothing is parsed again', () => {
    const { container, rerender } = render(<MessageMarkdown text={REPLY} streaming />);
    const heading = container.querySelector('h2');
    const table = container.querySelector('table');
    rerender(<MessageMarkdown text={REPLY} streaming={false} />);
    expect(container.querySelector('h2')).toBe(heading);
    expect(container.querySelector('table')).toBe(table);
  });

  it('parses a finished reply whole when a link refers to a definition in another block', () => {
    const text = 'See [the docs][d].\n\n[d]: https://example.com/docs';
    const { container, rerender } = render(<MessageMarkdown text={text} streaming />);
    expect(container.querySelector('a')).toBeNull();
    rerender(<MessageMarkdown text={text} streaming={false} />);
    expect(container.querySelector('a')?.getAttribute('href')).toBe('https://example.com/docs');
  });
});

describe('splitMarkdownBlocks', () => {
  it('splits at blank lines', () => {
    expect(splitMarkdownBlocks('a\nb\n\nc\n\n\nd')).toEqual(['a\nb', 'c', 'd']);
  });

  it('keeps an unfinished code fence in one block while it streams', () => {
    expect(splitMarkdownBlocks('x\n\n```\ncode\n\nmore')).toEqual(['x', '```\ncode\n\nmore']);
  });

  it('keeps loose list items and indented continuations with their list', () => {
    expect(splitMarkdownBlocks('- a\n\n- b\n\n    more of b\n\nafter')).toEqual(['- a\n\n- b\n\n    more of b', 'after']);
  });

  it('splits a fence that directly follows a paragraph', () => {
    expect(splitMarkdownBlocks('para\n```\ncode\n```\nnext')).toEqual(['para', '```\ncode\n```\nnext']);
  });
});
