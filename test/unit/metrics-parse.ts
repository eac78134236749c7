// A small, strict reader of the Prometheus text format 0.0.4 for the metrics tests: it
// throws on anything the format does not allow, so "it parses" is itself an assertion.
interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Exposition { types: Map<string, string>; samples: Sample[] }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function parseExposition(text: string): Exposition {
  if (text !== '' && !text.endsWith('\n')) throw new Error('text must end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const closed = new Set<string>(); // families whose samples ended: they must not come back
  let current = '';
  for (const line of text.split('\n').slice(0, -1)) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name!)) throw new Error(`bad metric name ${name}`);
      if (kind === 'TYPE') {
        if (types.has(name!)) throw new Error(`second TYPE for ${name}`);
        if (!['counter', 'gauge', 'untyped', 'histogram', 'summary'].includes(rest!)) throw new Error(`bad type ${rest}`);
        types.set(name!, rest!);
      }
      if (current !== name) { if (current) closed.add(current); current = name!; }
      continue;
    }
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const name = m[1]!;
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
    if (!types.has(name)) throw new Error(`sample ${name} without a TYPE`);
    if (name !== current || closed.has(name)) throw new Error(`samples of ${name} are not contiguous`);
    if (types.get(name) === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} does not end in _total`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    let at = 0;
    while (at < body.length) {
      re.lastIndex = at;
      const l = re.exec(body);
      if (!l) throw new Error(`bad labels: ${body}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      at = re.lastIndex;
    }
    const value = Number(m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value ${m[3]}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function valueOf(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const hits = e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}
