// Splits a byte stream (an NDJSON export, a producer's stderr log) into lines
// without decoding it: a line that lies inside one read chunk is handed out as
// a view into that chunk (no copy; the AuditLog keeps large read buffers by
// reference), only a line that spans chunks is copied together. Any line
// length works: the carry-over grows as needed.
//
// A line is what lies between two "\n" (or the start / the end of the input);
// a trailing "\r" (CRLF files) is not part of it, nor is a UTF-8 byte order
// mark before the first line. Every line counts, empty ones included (they
// become malformed "empty message" records, so nothing is silently dropped and
// the line numbers stay those an editor shows), except the empty remainder
// after a final "\n".

export interface Line {
  /** 1-based, as an editor counts. */
  number: number;
  /** The line's bytes, without "\n" / "\r\n". A view: do not write into it. */
  data: Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private carry: Uint8Array = new Uint8Array(0);
  private carryLen = 0;
  private lineNo = 0;
  private bytes = 0;

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.bytes;
  }

  /** Lines handed out so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** The complete lines `chunk` ends; the rest waits for the next chunk or end(). */
  push(chunk: Uint8Array): Line[] {
    const out: Line[] = [];
    const n = chunk.length;
    let from = 0;
    let nl = chunk.indexOf(LF);
    if (nl >= 0 && this.carryLen > 0) {
      // The line that started in earlier chunks ends here.
      this.append(chunk.subarray(0, nl));
      out.push(this.line(this.carry.slice(0, this.carryLen)));
      this.carryLen = 0;
      // Do not hold on to the room a huge line needed.
      if (this.carry.length > 1 << 20) this.carry = new Uint8Array(0);
      from = nl + 1;
      nl = chunk.indexOf(LF, from);
    }
    while (nl >= 0) {
      out.push(this.line(chunk.subarray(from, nl)));
      from = nl + 1;
      nl = chunk.indexOf(LF, from);
    }
    if (from < n) this.append(chunk.subarray(from));
    this.bytes += n;
    return out;
  }

  /** The last line, when the input does not end with "\n". */
  end(): Line[] {
    if (this.carryLen === 0) return [];
    const data = this.carry.slice(0, this.carryLen);
    this.carryLen = 0;
    this.carry = new Uint8Array(0);
    return [this.line(data)];
  }

  private append(part: Uint8Array): void {
    const need = this.carryLen + part.length;
    if (need > this.carry.length) {
      const next = new Uint8Array(Math.max(need, this.carry.length * 2, 4096));
      next.set(this.carry.subarray(0, this.carryLen));
      this.carry = next;
    }
    this.carry.set(part, this.carryLen);
    this.carryLen = need;
  }

  private line(data: Uint8Array): Line {
    const number = ++this.lineNo;
    let start = 0;
    let end = data.length;
    if (number === 1 && end >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) start = 3;
    if (end > start && data[end - 1] === CR) end--;
    return { number, data: start === 0 && end === data.length ? data : data.subarray(start, end) };
  }
}

/** Every line of a byte stream, chunk by chunk (lines of one chunk come as one array). */
export async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Line[]> {
  const splitter = new LineSplitter();
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield splitter.push(value);
    }
    yield splitter.end();
  } finally {
    reader.releaseLock();
  }
}
