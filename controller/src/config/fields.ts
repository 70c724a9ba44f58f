// Every setting callrec reads: its place in callrec.yaml, its environment variable, how it is
// parsed and what it defaults to. The loader and the README's table both come from this list.
import { HANDLING_FIELDS } from './fields-handling';
import { PLATFORM_FIELDS } from './fields-platform';

export const FIELDS = [...PLATFORM_FIELDS, ...HANDLING_FIELDS] as const;
