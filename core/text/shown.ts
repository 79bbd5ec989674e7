/**
 * A text someone gave, quoted for a message (JSON string syntax): at most 100 characters, then "…", so a
 * pasted file or a 5 MB value does not become the message.
 */
export function shown(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
