/**
 * How deeply a message body may nest. A vehicle needs 1; JSON.parse and everything that walks the parsed value
 * recurse, and Lambda's main thread overflows its stack at a few thousand levels, so the bound sits far below that.
 */
export const MAX_JSON_DEPTH = 32;

export interface JsonStructure {
  /** The first position where nesting exceeded the bound; the scan stops there. */
  tooDeepAt?: number;
  /** The first key repeated within one object, and that object's path of keys (arrays show as "[]"). */
  duplicateKey?: { key: string; path: string[] };
}

/**
 * One iterative pass over JSON text, before JSON.parse: bounds nesting (JSON.parse recurses and overflows the stack
 * on deep input) and finds keys repeated within one object (JSON.parse silently keeps the last). Tolerant of
 * malformed text: it only reads structure, and JSON.parse still decides whether the text is JSON at all.
 */
export function scanJsonStructure(text: string, maxDepth = MAX_JSON_DEPTH): JsonStructure {
  // One frame per open container: the keys seen so far for an object, null for an array.
  const frames: (Set<string> | null)[] = [];
  const path: string[] = [];
  let expectingKey = false;
  let lastKey = "";
  let duplicateKey: JsonStructure["duplicateKey"];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      const end = closingQuote(text, i);
      if (end < 0) break;
      const frame = frames[frames.length - 1];
      if (frame && expectingKey) {
        const key = decodeJsonString(text.slice(i, end + 1));
        if (key === undefined) break;
        if (frame.has(key)) duplicateKey ??= { key, path: [...path] };
        frame.add(key);
        lastKey = key;
        expectingKey = false;
      }
      i = end;
    } else if (char === "{" || char === "[") {
      if (frames.length >= maxDepth) return { tooDeepAt: i, ...(duplicateKey ? { duplicateKey } : {}) };
      const parent = frames[frames.length - 1];
      if (frames.length > 0) path.push(parent ? lastKey : "[]");
      frames.push(char === "{" ? new Set() : null);
      expectingKey = char === "{";
    } else if (char === "}" || char === "]") {
      frames.pop();
      path.pop();
      expectingKey = false;
    } else if (char === ",") {
      expectingKey = Boolean(frames[frames.length - 1]);
    }
  }
  return duplicateKey ? { duplicateKey } : {};
}

/** Index of the quote closing the string that opens at `start`, or -1 when the text ends first. */
function closingQuote(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j += 1) {
    if (text[j] === "\\") j += 1;
    else if (text[j] === '"') return j;
  }
  return -1;
}

/** A key as JSON.parse would read it ("a" and "\u0061" are the same key); undefined when it is not a JSON string. */
function decodeJsonString(quoted: string): string | undefined {
  if (!quoted.includes("\\")) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}
