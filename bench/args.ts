// The benches' command-line options: `--name N` as a number, its default when absent.
export const numberArg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
