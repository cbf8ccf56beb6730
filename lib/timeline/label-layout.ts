// Labels that never overlap: the text of gaps, collisions and the other
// anomaly badges, placed at the current zoom. A label that would touch
// another (closer than minGapPx side by side, overlapping in height) is
// merged into the one to its left, which then reads "<its text> +N"; merging
// can widen that label into the next one, so merging repeats until no two
// labels touch. Every item ends up drawn or counted in exactly one label.
//
// Pure and independent of panning: items are placed at x · pxPerUnit (+ dx),
// so the same items at the same zoom always merge the same way.

export interface LabelItem {
  /** Where the label's centre is, in x units (scaled by pxPerUnit). */
  x: number;
  /** Offset of the centre in pixels, added after scaling (a badge beside its mark). */
  dx?: number;
  /** Vertical centre, px. */
  y: number;
  width: number;
  height: number;
}

export interface PlacedLabel {
  /** The item whose text is drawn (the leftmost of the label's items). */
  first: number;
  /** Every item the label stands for, `first` first, then by left edge. */
  members: number[];
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Width of the " +N" a merged label adds for N more items (10 px text: about 5.6 px a character). */
export function countSuffixWidth(more: number): number {
  return (String(more).length + 2) * 5.6;
}

interface Cluster extends PlacedLabel {
  /** Width of the first item's own label. */
  own: number;
}

/** Left edge of an item's label, px. */
function leftOf(it: LabelItem, pxPerUnit: number): number {
  return it.x * pxPerUnit + (it.dx ?? 0) - it.width / 2;
}

/** True when two label boxes are closer than `gap` side by side while overlapping vertically. */
export function labelsTouch(
  a: { left: number; top: number; width: number; height: number },
  b: { left: number; top: number; width: number; height: number },
  gap: number,
): boolean {
  return (
    a.left < b.left + b.width + gap &&
    b.left < a.left + a.width + gap &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height
  );
}

export function layoutLabels(
  items: readonly LabelItem[],
  pxPerUnit: number,
  minGapPx: number,
  suffixWidth: (more: number) => number = countSuffixWidth,
): PlacedLabel[] {
  const order = items.map((_, i) => i);
  const lefts = items.map((it) => leftOf(it, pxPerUnit));
  order.sort((a, b) => (lefts[a] as number) - (lefts[b] as number) || a - b);
  const out: Cluster[] = [];
  // Labels whose right edge (plus the gap) reaches past the current item's left: the only ones it can touch.
  let active: Cluster[] = [];
  const merge = (host: Cluster, other: Cluster) => {
    host.members.push(...other.members);
    other.members.length = 0;
    host.width = host.own + suffixWidth(host.members.length - 1);
  };
  for (const i of order) {
    const it = items[i] as LabelItem;
    const left = lefts[i] as number;
    active = active.filter((c) => c.members.length > 0 && c.left + c.width + minGapPx > left);
    const mine: Cluster = {
      first: i,
      members: [i],
      left,
      top: it.y - it.height / 2,
      width: it.width,
      height: it.height,
      own: it.width,
    };
    let host: Cluster = mine;
    // Merge whatever touches the host into whichever of the two starts further left, until nothing does.
    for (;;) {
      const other = active.find((c) => c !== host && c.members.length > 0 && labelsTouch(c, host, minGapPx));
      if (other === undefined) break;
      const [keep, drop] = other.left <= host.left ? [other, host] : [host, other];
      merge(keep, drop);
      host = keep;
    }
    if (host === mine) {
      out.push(mine);
      active.push(mine);
    }
  }
  const byLeft = (a: number, b: number) => (lefts[a] as number) - (lefts[b] as number) || a - b;
  return out
    .filter((c) => c.members.length > 0)
    .map(({ first, members, left, top, width, height }) => ({
      first,
      members: [first, ...members.filter((m) => m !== first).sort(byLeft)],
      left,
      top,
      width,
      height,
    }));
}
