/**
 * Plain text (a title, a name) made safe to place in Markdown: every character that could start Markdown or HTML
 * (emphasis, links, images, code, tags, entities, table pipes) is backslash-escaped and line breaks become spaces,
 * so "![x](https://…) <b>" reads as typed instead of becoming an image or a tag. Titles are never Markdown.
 */
export function plainText(value: unknown): string {
  return String(value ?? '')
    .replace(/[\\`*_[\]<>!|~&]/g, c => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}
