/**
 * HTML built with a tagged template that escapes every interpolated value unless it is
 * already HTML made here: a case name, a log line or a failure message can hold `<`, `&`
 * or quotes, and none of them may ever become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Interpolations: Html as is, arrays joined, undefined/null/false as nothing, anything else escaped. */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(text);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** A relative link to a path under the report's folder, each segment URL-encoded. */
export function relativeHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
