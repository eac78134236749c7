/**
 * The regression corpus: test/fuzz/corpus/TARGET.txt, one input a line as hex (the
 * target's mode byte first), then `#` and what it found. Every input here once broke
 * an invariant; the CI test runs them all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fromHex } from './mutate.js';

interface CorpusEntry { input: Uint8Array; note: string; line: number }

function corpusFile(target: string): URL {
  return new URL(`./corpus/${target}.txt`, import.meta.url);
}

export function loadCorpus(target: string): CorpusEntry[] {
  const f = corpusFile(target);
  if (!existsSync(f)) return [];
  const out: CorpusEntry[] = [];
  readFileSync(f, 'utf8').split('\n').forEach((text, i) => {
    const t = text.trim();
    if (t === '' || t.startsWith('#')) return;
    const [hex, ...note] = t.split('#');
    out.push({ input: fromHex(hex!), note: note.join('#').trim(), line: i + 1 });
  });
  return out;
}
