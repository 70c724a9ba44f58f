// One setting as the loader and the README's table see it: its place in callrec.yaml, its
// environment variable, its parser, its default and its line of documentation.
import type { Parse } from './parsers';

export interface Field<T> {
  path: string; // dotted key in callrec.yaml
  env: string; // environment override
  parse: Parse<T>;
  default: T;
  secret?: boolean; // never logged, never printed
  doc: string;
}

export const field = <T>(
  path: string,
  env: string,
  parse: Parse<T>,
  def: T,
  doc: string,
  secret = false,
): Field<T> => ({ path, env, parse, default: def, doc, secret });
