/**
 * Finds the programs a test file runs, for test/unit/tools-list.test.ts.
 *
 * What counts as running a program (read with the TypeScript parser, not with regexes):
 *  - `spawn|spawnSync|execFile|execFileSync|run('prog', ...)` with a literal first argument
 *    (`sh`/`bash` with `['-c', '...']` is a shell command, read as below);
 *  - `sh|shSync|execSync('command line')`, a string or template literal: every command of
 *    the line (split at && || ; | $( and `do`/`then` outside quotes), past environment assignments and the
 *    wrappers `ip netns exec NS`, `timeout [-s SIG] N`, `exec`; `${...}` in a command's
 *    place is unknown and ignored;
 *  - a literal naming a `.py` file beside the test: python3, and python3:MODULE for each
 *    module that script imports (stdlib modules are told apart by the caller);
 *  - a literal naming a `.sh` file beside the test or in bench/ or test/: every command of
 *    every line of that script (comments dropped), read as above, where a word naming a
 *    function the script defines is no program (its body is read like the rest).
 *
 * Attribution: each top-level declaration of a module (function, class, const) owns the
 * programs in its body; a test file runs the programs of its own top-level statements and
 * of every declaration they reference, followed through local imports and re-exports. So
 * importing `Lab` from ports-lab.ts does not make a test need iperf3; calling `iperf()` does.
 */
import ts from 'typescript';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXEC = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'run']);
const SHELL = new Set(['sh', 'shSync', 'execSync']);
const SHELLS = new Set(['sh', 'bash']);
const BUILTINS = new Set([
  'for', 'in', 'do', 'done', 'if', 'then', 'else', 'elif', 'fi', 'while', 'true', 'false', 'echo', 'cd',
  'command', 'test', '[', 'exit', 'set', 'export', 'read', 'printf', 'kill', 'wait', '{', '}', '!',
  'local', 'return', 'shift', 'break', 'continue', '.', 'source',
]);
const HOLE = '\u0000';

/** Commands of a shell line; HOLE marks an interpolation; `functions` are the shell
 * functions in scope (a call to one is no program). */
export function shellPrograms(line: string, functions: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const unquoted = line.replace(/'[^']*'|"[^"]*"/g, 'ARG'); // operators inside quotes are arguments
  for (const seg of unquoted.split(/&&|\|\||;|\||\$\(|`|\n|\bdo\b|\bthen\b/)) {
    const words = seg.replace(/[()]/g, ' ').trim().split(/\s+/).filter(Boolean);
    let i = 0;
    for (;;) {
      while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
      const w = words[i];
      if (w === 'exec') { i++; continue; }
      if (w === 'ip' && words[i + 1] === 'netns' && words[i + 2] === 'exec') { i += 4; continue; }
      if (w === 'timeout') {
        out.push('timeout');
        i++;
        while (words[i]?.startsWith('-')) i += words[i] === '-s' || words[i] === '-k' ? 2 : 1;
        i++; // the duration
        continue;
      }
      break;
    }
    const prog = words[i];
    if (prog === undefined || prog.includes(HOLE) || prog.startsWith('-') || BUILTINS.has(prog) || functions.has(prog)) continue;
    if (/^[A-Za-z0-9_.+/-]+$/.test(prog) && !/^\d/.test(prog)) out.push(prog.slice(prog.lastIndexOf('/') + 1));
  }
  return out;
}

function literalText(n: ts.Node | undefined): string | undefined {
  if (n === undefined) return undefined;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isTemplateExpression(n)) return n.head.text + n.templateSpans.map((s) => HOLE + s.literal.text).join('');
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = literalText(n.left) ?? HOLE;
    const r = literalText(n.right) ?? HOLE;
    return l + r;
  }
  return undefined;
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** Programs a shell script runs: each line without its comment, as shellPrograms reads
 * it, the script's own functions (`name() {`) left out. */
export function scriptPrograms(src: string): string[] {
  const functions = new Set([...src.matchAll(/^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)/gm)].map((m) => m[1]!));
  const code = src
    .split('\n')
    .map((l) => (/^\s*#/.test(l) ? '' : l.replace(/(^|\s)#.*$/, '')))
    .join('\n')
    .replace(/\\\n/g, ' '); // continued lines are one line
  return shellPrograms(code, functions);
}

/** Third-party modules a Python script imports (first dotted component). */
export function pythonImports(src: string): string[] {
  const mods = new Set<string>();
  for (const m of src.matchAll(/^\s*import\s+([A-Za-z_]\w*)|^\s*from\s+([A-Za-z_]\w*)[\w.]*\s+import\b/gm)) mods.add((m[1] ?? m[2])!);
  return [...mods];
}

/** The modules a Python script needs, following its imports of sibling scripts (a module
 * MOD.py next to it is part of the test, not a package to install). */
function scriptModules(py: string, seen = new Set<string>()): string[] {
  if (seen.has(py)) return [];
  seen.add(py);
  const out: string[] = [];
  for (const m of pythonImports(readFileSync(py, 'utf8'))) {
    const local = join(dirname(py), `${m}.py`);
    if (existsSync(local)) out.push(...scriptModules(local, seen));
    else out.push(m);
  }
  return out;
}

interface Decl {
  programs: Set<string>;
  refs: Set<string>;
  /** scripts of this repository (bench/, test/) run as a whole, e.g. bench/demo.ts */
  scripts: Set<string>;
}

const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const newDecl = (): Decl => ({ programs: new Set(), refs: new Set(), scripts: new Set() });

interface Module {
  decls: Map<string, Decl>;
  body: Decl;
  /** local name → [module path, exported name] */
  imports: Map<string, [string, string]>;
}

function scanNode(root: ts.Node, d: Decl, file: string): void {
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const name = calleeName(n.expression);
      const first = literalText(n.arguments[0]);
      if (name !== undefined && first !== undefined) {
        if (SHELL.has(name)) for (const p of shellPrograms(first)) d.programs.add(p);
        else if (EXEC.has(name) && !first.includes(HOLE)) {
          if (SHELLS.has(first)) {
            d.programs.add('sh');
            const args = n.arguments[1];
            if (args && ts.isArrayLiteralExpression(args) && literalText(args.elements[0]) === '-c') {
              const cmd = literalText(args.elements[1]);
              if (cmd !== undefined) for (const p of shellPrograms(cmd)) d.programs.add(p);
            }
          } else d.programs.add(first.slice(first.lastIndexOf('/') + 1));
        }
      }
    }
    const text = literalText(n);
    if (text !== undefined && /^\.{0,2}\/?[\w./-]+\.py$/.test(text)) {
      const py = resolve(dirname(file), text);
      if (existsSync(py)) {
        d.programs.add('python3');
        for (const m of scriptModules(py)) d.programs.add(`python3:${m}`);
      }
    }
    if (text !== undefined && /^[\w./-]+\.sh$/.test(text)) {
      const script = [resolve(dirname(file), text), resolve(REPO, text)].find((p) => existsSync(p));
      if (script && /^(bench|test)\//.test(script.slice(REPO.length + 1))) for (const p of scriptPrograms(readFileSync(script, 'utf8'))) d.programs.add(p);
    }
    if (text !== undefined && /^[\w./-]+\.ts$/.test(text)) {
      const script = [resolve(dirname(file), text), resolve(REPO, text)].find((p) => existsSync(p));
      if (script && /^(bench|test)\//.test(script.slice(REPO.length + 1))) d.scripts.add(script);
    }
    if (ts.isIdentifier(n)) d.refs.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(root);
}

function localModule(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const p = resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
  return existsSync(p) ? p : undefined;
}

const modules = new Map<string, Module>();

function load(file: string): Module {
  const cached = modules.get(file);
  if (cached) return cached;
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const m: Module = { decls: new Map(), body: newDecl(), imports: new Map() };
  modules.set(file, m);
  const declare = (name: string, node: ts.Node) => {
    const d = newDecl();
    scanNode(node, d, file);
    m.decls.set(name, d);
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) {
      const target = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? localModule(file, st.moduleSpecifier.text) : undefined;
      if (!target) continue;
      const bindings = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : st.exportClause;
      if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
        for (const el of bindings.elements) m.imports.set(el.name.text, [target, (el.propertyName ?? el.name).text]);
      }
      continue;
    }
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) declare(st.name.text, st);
    else if (ts.isVariableStatement(st)) {
      for (const v of st.declarationList.declarations) {
        if (ts.isIdentifier(v.name)) declare(v.name.text, v);
        else scanNode(v, m.body, file);
      }
    } else scanNode(st, m.body, file);
  }
  return m;
}

/** Programs (and python3:MODULE) that running `testFile` runs, with their attribution closure. */
export function programsOf(testFile: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const follow = (file: string, d: Decl): void => {
    for (const p of d.programs) out.add(p);
    for (const s of d.scripts) {
      if (seen.has(s)) continue;
      seen.add(s);
      follow(s, load(s).body);
    }
    for (const r of d.refs) visit(file, r);
  };
  const visit = (file: string, name: string): void => {
    const key = `${file}#${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const m = load(file);
    const own = m.decls.get(name);
    if (own) follow(file, own);
    const imp = m.imports.get(name);
    if (imp) visit(imp[0], imp[1]);
  };
  follow(testFile, load(testFile).body);
  return out;
}

/** The literal arguments of every `needs(...)` call in a file. */
export function declaredNeeds(file: string): Set<string> {
  const out = new Set<string>();
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && calleeName(n.expression) === 'needs') {
      for (const a of n.arguments) {
        const t = literalText(a);
        if (t !== undefined) out.add(t);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
