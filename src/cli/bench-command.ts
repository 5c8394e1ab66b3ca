// `socketeer bench <url>`: placeholder while the load generator is written.
export async function benchCommand(_argv: string[]): Promise<number> {
  process.stderr.write('socketeer bench: not implemented yet\n');
  return 1;
}
