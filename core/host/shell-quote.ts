/** One word for any POSIX shell, whatever bytes it holds: inside single quotes only `'` needs care. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
