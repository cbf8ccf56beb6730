// Where and why a text is not JSON, worded the same in every JS engine.
// JSON.parse's messages differ between V8 versions, Firefox and Safari, and V8's
// newest ones echo the whole payload back; this scanner runs only after
// JSON.parse has already failed, so its speed does not matter.

export interface JsonSyntaxError {
  /** UTF-16 offset in the decoded text. */
  at: number;
  message: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function findJsonSyntaxError(text: string): JsonSyntaxError {
  let i = 0;
  const n = text.length;
  const fail = (msg?: string): JsonSyntaxError => {
    if (i >= n) return { at: n, message: `Unexpected end at ${n}` };
    return { at: i, message: msg ?? `Unexpected token ${JSON.stringify(text[i])} at ${i}` };
  };
  const ws = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  // Each returns undefined on success, the error otherwise.
  const str = (): JsonSyntaxError | undefined => {
    if (text[i] !== '"') return fail();
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail(`Unescaped control character at ${i}`);
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return fail(`Bad \\u escape at ${i}`);
          i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) return fail(`Bad escape at ${i}`);
      }
      i++;
    }
    return fail();
  };
  const num = (): JsonSyntaxError | undefined => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null || m[0] === "" || m[0] === "-") return fail();
    i += m[0].length;
    return undefined;
  };
  const value = (depth: number): JsonSyntaxError | undefined => {
    if (depth > 512) return fail(`Nested too deep at ${i}`);
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return undefined;
      }
      for (;;) {
        ws();
        const e1 = str();
        if (e1) return e1;
        ws();
        if (text[i] !== ":") return fail();
        i++;
        const e2 = value(depth + 1);
        if (e2) return e2;
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return undefined;
        }
        return fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return undefined;
      }
      for (;;) {
        const e = value(depth + 1);
        if (e) return e;
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return undefined;
        }
        return fail();
      }
    }
    if (c === '"') return str();
    for (const lit of ["true", "false", "null"]) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return undefined;
      }
    }
    return num();
  };
  const err = value(0);
  if (err) return err;
  ws();
  if (i < n) return fail();
  // The scanner accepted what JSON.parse rejected; say so rather than invent a place.
  return { at: 0, message: "rejected by JSON.parse" };
}
