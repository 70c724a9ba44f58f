// flows.yaml <-> RulesDocument. Errors name the file, line and column of the offending node and
// the path to it, so an admin can fix a 300-line file without guessing.
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  stringify,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { RULE_PARSE, ruleProblems, rulesDocumentSchema, type RulesDocument } from './document';

export type YamlParse = { ok: true; doc: RulesDocument } | { ok: false; errors: string[] };

type Path = ReadonlyArray<PropertyKey>;

/** The node at path, or its nearest existing ancestor (a missing key points at its parent). */
function nodeAt(doc: Document, path: Path): Node | null {
  let node: unknown = doc.contents;
  let found = node as Node | null;
  for (const key of path) {
    if (!isCollection(node)) break;
    node = node.get(typeof key === 'number' ? key : String(key), true);
    if (!node) break;
    found = node as Node;
  }
  return found;
}

/** For an unknown key, point at the key itself rather than at the map holding it. */
function keyNode(map: Node | null, key: string): Node | null {
  if (!isMap(map)) return null;
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  return pair && isScalar(pair.key) ? pair.key : null;
}

function issueLines(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string): string[] {
  const where = (node: Node | null, path: Path) => {
    const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${file}:${pos.line}:${pos.col}: ${path.length ? path.map(String).join('.') : '(top level)'}`;
  };
  const node = nodeAt(doc, issue.path);
  return ruleProblems(issue).map((p) => {
    const key = String(p.path[p.path.length - 1] ?? '');
    const at =
      issue.code === 'unrecognized_keys'
        ? (keyNode(node, key) ?? node)
        : issue.code === 'invalid_key'
          ? (keyNode(nodeAt(doc, issue.path.slice(0, -1)), key) ?? node)
          : node;
    return `${where(at, p.path)}: ${p.problem}`;
  });
}

export function parseRulesYaml(text: string, file = 'flows.yaml'): YamlParse {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: YAML syntax: ${e.message.split('\n')[0] ?? e.code}`;
      }),
    };
  }
  const parsed = rulesDocumentSchema.safeParse(doc.toJS() ?? {}, RULE_PARSE);
  if (parsed.success) return { ok: true, doc: parsed.data };
  return { ok: false, errors: parsed.error.issues.flatMap((i) => issueLines(i, doc, lc, file)) };
}

export function toRulesYaml(doc: RulesDocument): string {
  return `# callrec rules: import with \`callrec flows import <file>\` (replaces flows and campaigns)\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
