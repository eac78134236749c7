// ESLint rule `sluice/no-unused-exports`: an export that no file of the program (tsconfig.json:
// src, bench, test) imports is reported at its `export`. It needs type information.
//
// Used means named by an import or re-export somewhere: the rule follows each import's alias
// chain (`import { a } from './index.js'` → `export { a } from './a.js'` → `a`) and marks every
// link, so an unused re-export is reported even when the original is imported directly.
// `import * as`, `import('…')` and `export * from` mark the whole module. `export default`
// is for tools (vitest.config.ts) and is never reported.
// --fix drops the `export` (what is left unused is then dead code, for a human to delete). A
// module run from the command line keeps its export with `// eslint-disable-next-line
// sluice/no-unused-exports -- why`.
import ts from 'typescript';

const usedByProgram = new WeakMap(); // ts.Program → { symbols: Set<ts.Symbol>, modules: Set<ts.Symbol> }

function resolveAlias(checker, sym) {
  return sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
}

function collectUsed(program) {
  const checker = program.getTypeChecker();
  const symbols = new Set();
  const modules = new Set();
  const markChain = (sym) => {
    for (let s = sym, n = 0; s && n < 20 && !symbols.has(s); n++) {
      symbols.add(s);
      if (!(s.flags & ts.SymbolFlags.Alias)) break;
      s = checker.getImmediateAliasedSymbol(s);
    }
  };
  const markModule = (specifier) => {
    const m = specifier && checker.getSymbolAtLocation(specifier);
    if (m) modules.add(resolveAlias(checker, m));
  };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) continue;
    const visit = (node) => {
      if (ts.isImportDeclaration(node) && node.importClause) {
        const c = node.importClause;
        if (c.name) markChain(checker.getSymbolAtLocation(c.name));
        if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) markModule(node.moduleSpecifier);
        if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
          for (const e of c.namedBindings.elements) markChain(checker.getSymbolAtLocation(e.name));
        }
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
        if (!node.exportClause || ts.isNamespaceExport(node.exportClause)) markModule(node.moduleSpecifier);
        else for (const e of node.exportClause.elements) {
          // the re-exported name is used by this file; the re-export itself is checked in its own file
          const target = checker.getImmediateAliasedSymbol(checker.getSymbolAtLocation(e.name));
          markChain(target);
        }
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        markModule(node.argument.literal);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        markModule(node.arguments[0]);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { symbols, modules };
}

export default {
  meta: {
    type: 'suggestion',
    docs: { description: 'exports that no file imports' },
    messages: { unused: "'{{name}}' is exported but nothing imports it: drop the export (or the declaration)" },
    schema: [],
    fixable: 'code',
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    const program = services.program;
    let used = usedByProgram.get(program);
    if (!used) usedByProgram.set(program, (used = collectUsed(program)));
    const checker = program.getTypeChecker();
    const sf = services.esTreeNodeToTSNodeMap.get(context.sourceCode.ast);
    const moduleSym = checker.getSymbolAtLocation(sf);
    if (!moduleSym || used.modules.has(moduleSym)) return {};
    const unused = (name) => {
      if (name === 'default') return false;
      const sym = moduleSym.exports?.get(ts.escapeLeadingUnderscores(name));
      return sym !== undefined && !used.symbols.has(sym);
    };
    const code = context.sourceCode;
    // The fix drops the keyword `export` (the declaration stays, for its own file's use), or
    // the specifier from `export { … }`, or the whole statement when none is left.
    const dropKeyword = (decl) => (fixer) => {
      const kw = code.getFirstToken(decl);
      return fixer.removeRange([kw.range[0], code.getTokenAfter(kw).range[0]]);
    };
    const dropSpecifier = (decl, s, remaining) => (fixer) => {
      if (remaining === 0) return fixer.remove(decl);
      const after = code.getTokenAfter(s);
      if (after.value === ',') return fixer.removeRange([s.range[0], code.getTokenAfter(after).range[0]]);
      const before = code.getTokenBefore(s);
      return fixer.removeRange([before.range[0], s.range[1]]);
    };
    return {
      ExportNamedDeclaration(node) {
        const d = node.declaration;
        if (d) {
          const names = d.type === 'VariableDeclaration'
            ? d.declarations.filter((v) => v.id.type === 'Identifier').map((v) => v.id.name)
            : d.id ? [d.id.name] : [];
          const bad = names.filter(unused);
          const fix = bad.length === names.length ? dropKeyword(node) : undefined;
          for (const name of bad) context.report({ node, messageId: 'unused', data: { name }, fix });
        }
        const nameOf = (s) => (s.exported.type === 'Identifier' ? s.exported.name : s.exported.value);
        const bad = node.specifiers.filter((s) => unused(nameOf(s)));
        const remaining = node.specifiers.length - bad.length;
        for (const s of bad) {
          context.report({ node: s, messageId: 'unused', data: { name: nameOf(s) }, fix: dropSpecifier(node, s, remaining) });
        }
      },
    };
  },
};
