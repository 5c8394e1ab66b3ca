// The public surface as a consumer's compiler sees it: every export of
// socketeer, socketeer/redis and socketeer/cluster, the public members of each
// exported class and interface (those socketeer declares, not inherited from
// Node's types), the events of each event map, and every error code. Read with
// the TypeScript compiler API from the built declarations.
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { makeConsumer, repo } from './consumer.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const ENTRIES = ['socketeer', 'socketeer/redis', 'socketeer/cluster'];
const OWN = `${sep}dist${sep}`;

/**
 * [{ entry, name, kind, members: string[] }], the error codes, and
 * `undocumented`: exports and members whose declarations carry no TSDoc
 * (what an editor would show without a description).
 */
export function publicSurface() {
  const source = ENTRIES.map((entry, i) => `import * as m${i} from '${entry}';\nvoid m${i};`).join('\n');
  const consumer = makeConsumer('esm-nodenext', [{ 'surface.ts': source }]);
  try {
    const parsed = ts.getParsedCommandLineOfConfigFile(join(consumer.dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(join(consumer.dir, 'surface.ts'));
    const isOwn = (declaration) => declaration.getSourceFile().fileName.includes(`${repo}${OWN}`) || declaration.getSourceFile().fileName.includes(`socketeer${OWN}`);
    const publicName = (symbol) => {
      const name = symbol.getName();
      if (name.startsWith('_') || name.startsWith('__@') || name === 'prototype' || name === 'constructor') return false;
      const declarations = symbol.getDeclarations() ?? [];
      if (declarations.length === 0 || !declarations.some(isOwn)) return false;
      return !declarations.some((d) => (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0);
    };
    const exports = [];
    const errorCodes = [];
    const undocumented = new Set();
    const documented = (symbol) => symbol.getDocumentationComment(checker).length > 0 || (symbol.getJsDocTags(checker) ?? []).length > 0;
    file.statements.filter(ts.isImportDeclaration).forEach((statement, i) => {
      const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const name = exported.getName();
        if (name === 'default') continue;
        const members = new Set();
        let kind = 'value';
        if (symbol.flags & ts.SymbolFlags.Class) {
          kind = 'class';
          const instance = checker.getDeclaredTypeOfSymbol(symbol);
          for (const member of checker.getPropertiesOfType(instance)) {
            if (!publicName(member)) continue;
            members.add(member.getName());
            if (!documented(member)) undocumented.add(`${ENTRIES[i]}: ${name}.${member.getName()}`);
          }
          const statics = checker.getTypeOfSymbolAtLocation(symbol, statement);
          for (const member of checker.getPropertiesOfType(statics)) if (publicName(member)) members.add(member.getName());
        } else if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
          kind = 'type';
          const type = checker.getDeclaredTypeOfSymbol(symbol);
          if (type.isClassOrInterface() || symbol.flags & ts.SymbolFlags.Interface) {
            for (const member of checker.getPropertiesOfType(type)) {
              if (!publicName(member)) continue;
              members.add(member.getName());
              if (symbol.flags & ts.SymbolFlags.Interface && !/Events$|EventMap$/.test(name) && !documented(member)) {
                undocumented.add(`${ENTRIES[i]}: ${name}.${member.getName()}`);
              }
            }
          }
        } else if (/ErrorCode$/.test(name)) {
          const type = checker.getTypeOfSymbolAtLocation(symbol, statement);
          for (const member of checker.getPropertiesOfType(type)) {
            const valueType = checker.getTypeOfSymbolAtLocation(member, statement);
            if (valueType.isStringLiteral()) errorCodes.push(valueType.value);
          }
        }
        if (!documented(symbol) && !/ErrorCode$/.test(name)) undocumented.add(`${ENTRIES[i]}: export ${name}`);
        exports.push({ entry: ENTRIES[i], name, kind, members: [...members].sort() });
      }
    });
    return { exports, errorCodes: [...new Set(errorCodes)].sort(), undocumented: [...undocumented].sort() };
  } finally {
    consumer.cleanup();
  }
}

/** What docs/api.md must mention, as code spans: `Name`, `member`, `'event'`, `WS_ERR_...`. */
export function missingFromReference(markdown, surface = publicSurface()) {
  const spans = new Set([...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]));
  const words = new Set();
  for (const span of spans) for (const word of span.match(/[A-Za-z_$][\w$-]*/g) ?? []) words.add(word);
  const missing = [];
  for (const { entry, name, members } of surface.exports) {
    if (!words.has(name)) missing.push(`${entry}: export ${name}`);
    for (const member of members) if (!words.has(member)) missing.push(`${entry}: ${name}.${member}`);
  }
  for (const code of surface.errorCodes) if (!words.has(code)) missing.push(`error code ${code}`);
  return missing;
}

if (process.argv[1] && process.argv[1].endsWith('public-surface.mjs')) {
  const { readFileSync, existsSync } = await import('node:fs');
  const path = join(repo, 'docs/api.md');
  const surface = publicSurface();
  if (process.argv.includes('--list')) for (const e of surface.exports) console.log(e.entry, e.kind, e.name, e.members.join(' '));
  if (process.argv.includes('--undocumented')) console.log(surface.undocumented.join('\n'));
  const missing = missingFromReference(existsSync(path) ? readFileSync(path, 'utf8') : '', surface);
  console.log(missing.join('\n') || 'docs/api.md covers the public surface');
}
