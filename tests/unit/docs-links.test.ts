import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Every relative link in the repository's Markdown resolves: the file exists and, for a
// `#fragment`, the target has a heading with that anchor (GitHub's rule). The manual is split
// over many pages, so a moved section would otherwise leave dead links behind.

const root = path.resolve(import.meta.dirname, '../..');
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'release', '.testbed', 'test-results', '.git']);

function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...markdownFiles(path.join(dir, entry.name)));
    } else if (entry.name.endsWith('.md')) {
      found.push(path.join(dir, entry.name));
    }
  }
  return found;
}

/** The text outside fenced code blocks and inline code spans, where links are links. */
function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const match of proseOf(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    links.push(target);
  }
  return links;
}

describe('links between the Markdown files', () => {
  const files = markdownFiles(root);

  it('finds the manual', () => {
    expect(files.map((file) => path.relative(root, file))).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'docs/README.md']));
  });

  it('resolves every relative link and anchor', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const link of relativeLinks(text)) {
        const [target = '', fragment] = link.split('#', 2);
        const resolved = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
        const where = `${path.relative(root, file)} → ${link}`;
        if (!resolved.startsWith(root + path.sep) && resolved !== root) {
          broken.push(`${where} (outside the repository)`);
        } else if (!fs.existsSync(resolved)) {
          broken.push(`${where} (no such file)`);
        } else if (fragment && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(fragment)) {
          broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
