/**
 * What JSON.parse does not tell about a JSON text: how deeply it nests, and the text of each top-level
 * member's value exactly as sent. A payload is kept and delivered as the sender wrote it, because a
 * JavaScript value cannot hold all of JSON: a key named `__proto__` is dropped by every object copy, and
 * numbers past 2^53 or past a double's range (`12345678901234567890123`, `1e400`) change. No library reads
 * member spans out of JSON text, so this is a small scanner of our own; it runs only on text JSON.parse
 * has accepted.
 */
export interface JsonText {
  /** Deepest nesting of objects and arrays: `{}` is 1, `{"a":[1]}` is 2. */
  depth: number;
  /** The top-level member inside which the deepest nesting was found, or null (the top level itself). */
  deepestMember: string | null;
  /**
   * Each top-level member's value (when the text is an object), without whitespace outside strings; a
   * repeated name keeps its last value, as JSON.parse does.
   */
  members: Map<string, string>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the string that opens at `open` (a `"`); escapes are skipped. */
function stringEnd(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

/** `text` (valid JSON) without whitespace outside strings. */
function compact(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (isSpace(c)) {
      out += text.slice(from, i);
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      from = i;
    } else {
      i++;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Scan JSON text that JSON.parse has accepted (anything else gives a meaningless answer). */
export function scanJson(text: string): JsonText {
  const members = new Map<string, string>();
  let depth = 0;
  let deepest = 0;
  let deepestMember: string | null = null;
  let topIsObject = false;
  let expectName = false;
  let name: string | null = null;
  let valueStart = -1;
  let spaced = false; // whitespace inside the current member's value

  const endMember = (end: number) => {
    if (name === null || valueStart < 0) return;
    const value = text.slice(valueStart, end).trimEnd();
    members.set(name, spaced ? compact(value) : value);
    valueStart = -1;
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1 && expectName) {
        const raw = text.slice(i, end);
        name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        expectName = false;
      }
      i = end;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        deepestMember = depth === 1 ? null : name;
      }
      if (depth === 1) {
        topIsObject = c === OPEN_OBJECT;
        expectName = topIsObject;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 1 && topIsObject) endMember(i);
      depth--;
    } else if (depth === 1 && topIsObject) {
      if (c === COLON) {
        valueStart = i + 1;
        while (isSpace(text.charCodeAt(valueStart))) valueStart++;
        spaced = false;
      } else if (c === COMMA) {
        endMember(i);
        expectName = true;
      }
    } else if (depth > 1 && !spaced && isSpace(c)) {
      spaced = true;
    }
    i++;
  }
  return { depth: deepest, deepestMember, members };
}
