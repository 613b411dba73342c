/**
 * Everything the page shows comes from files a run wrote, and some of it from outside (venue
 * messages, signal ids, fault descriptions): text goes through `escapeHtml`, data for the scripts
 * through `jsonForScript`. Nothing is written into the page any other way.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON to put inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes, so no
 * string in the data can close the script element or open a comment, and U+2028/U+2029 are escaped
 * too. `JSON.parse` of the element's text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
