/**
 * Debian's dependency syntax (deb-control(5)), as far as the harness reads it: a field is
 * clauses separated by commas, a clause is alternatives separated by `|`, an alternative
 * is a package name with an optional architecture qualifier, version restriction,
 * architecture list and build profiles. What to install and what is missing is left to
 * dpkg and apt; these are only read to say which package asked for which.
 */
export interface Alternative {
  readonly name: string;
  /** `:any`, `:native` or an architecture, as written. */
  readonly arch: string | undefined;
  readonly version: { readonly op: VersionOp; readonly version: string } | undefined;
}

export type VersionOp = '<<' | '<=' | '=' | '>=' | '>>';

/** A clause holds when one of its alternatives does. */
export type Clause = readonly Alternative[];

/** A name as Policy 5.6.1 has it (lower case letters, digits, `+`, `-`, `.`), then the optional parts in their order. */
const ALTERNATIVE = /^([a-z0-9][a-z0-9+.-]+)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^\s)]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>\s*)*$/;

/** One clause (`a (>= 1) | b:any`); undefined when it is not in the syntax. */
export function parseClause(text: string): Clause | undefined {
  const alternatives: Alternative[] = [];
  for (const part of text.split('|')) {
    const match = ALTERNATIVE.exec(part.trim());
    if (match === null) return undefined;
    const [, name = '', arch, op, version] = match;
    // `<` and `>` are the obsolete spellings of `<=` and `>=` (deb-control(5)).
    const normalized = op === '<' ? '<=' : op === '>' ? '>=' : (op as VersionOp | undefined);
    alternatives.push({ name, arch, version: normalized === undefined || version === undefined ? undefined : { op: normalized, version } });
  }
  return alternatives;
}

/**
 * A whole field (`Depends: a, b | c (>= 2)`). Returns the clauses it could read and the
 * parts it could not, so that a caller can name what it did not understand.
 */
export function parseDependsField(text: string): { readonly clauses: readonly Clause[]; readonly unreadable: readonly string[] } {
  const clauses: Clause[] = [];
  const unreadable: string[] = [];
  for (const part of text.split(',').map((piece) => piece.trim()).filter((piece) => piece !== '')) {
    const clause = parseClause(part);
    if (clause === undefined) unreadable.push(part);
    else clauses.push(clause);
  }
  return { clauses, unreadable };
}

/**
 * What dpkg-checkbuilddeps prints after "Unmet build dependencies:": the unmet clauses
 * separated by single spaces, not commas (`a | b c (>= 1) d:native`), with architecture
 * lists and profiles already applied. Parenthesised restrictions hold spaces of their own,
 * so the text is read token by token: a name starts a new clause unless a `|` came before.
 */
export function parseUnmetList(text: string): Clause[] {
  const tokens = text.match(/\([^)]*\)|\[[^\]]*\]|<[^>]*>|\||[^\s|([<]+/g) ?? [];
  const clauses: string[][] = [];
  let joinNext = false;
  for (const token of tokens) {
    if (token === '|') {
      joinNext = true;
      continue;
    }
    const last = clauses.at(-1);
    if (token.startsWith('(') || token.startsWith('[') || token.startsWith('<')) {
      last?.push(`${last.pop() ?? ''} ${token}`);
    } else if (joinNext && last !== undefined) {
      last.push(token);
    } else {
      clauses.push([token]);
    }
    joinNext = false;
  }
  return clauses.map((alternatives) => parseClause(alternatives.join(' | '))).filter((clause): clause is Clause => clause !== undefined);
}

export function formatClause(clause: Clause): string {
  return clause
    .map((alternative) => `${alternative.name}${alternative.arch === undefined ? '' : `:${alternative.arch}`}${alternative.version === undefined ? '' : ` (${alternative.version.op} ${alternative.version.version})`}`)
    .join(' | ');
}

/** The names apt looks up for a clause: `:any` and `:native` qualify a name, they do not change it. */
export function namesOf(clause: Clause): string[] {
  return clause.map((alternative) => (alternative.arch === 'any' || alternative.arch === 'native' || alternative.arch === undefined ? alternative.name : `${alternative.name}:${alternative.arch}`));
}
