// Reads the timeline on screen into a TimelinePicture (timeline-svg.ts): the
// part of the plot that is visible (minimap, axis, the lanes scrolled into
// view), as the user sees it. DOM only, no React; it finds the pieces by their
// data-testid inside the execution's timeline container, so it needs nothing
// from the timeline's code.
import { pictureToSvg, type Box, type PictureGroup, type PictureText, type TimelinePicture } from "./timeline-svg";

/** SVG presentation properties whose computed values the export inlines (the page styles them with classes). */
const SVG_PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "text-anchor",
  "dominant-baseline",
  "visibility",
  "display",
] as const;

const LABELS = "[data-testid=lane], [data-testid=sub-lane], [data-testid=malformed-lane]";

function visible(a: DOMRect, clip: DOMRect): boolean {
  return (
    a.width > 0 &&
    a.height > 0 &&
    a.right > clip.left &&
    a.left < clip.right &&
    a.bottom > clip.top &&
    a.top < clip.bottom
  );
}

function transparent(color: string): boolean {
  return color === "transparent" || /rgba\(.*,\s*0\)$/.test(color);
}

/** A copy of an <svg> with every computed presentation style written on it, so it looks the same on its own. */
function inlineSvg(el: SVGSVGElement, box: Box): string {
  const clone = el.cloneNode(true) as SVGSVGElement;
  const src = [el, ...el.querySelectorAll("*")];
  const dst = [clone, ...clone.querySelectorAll("*")];
  src.forEach((node, i) => {
    const target = dst[i];
    if (target === undefined) return;
    const cs = getComputedStyle(node);
    const style = SVG_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(";");
    target.setAttribute("style", style);
    target.removeAttribute("class");
  });
  clone.setAttribute("width", String(box.width));
  clone.setAttribute("height", String(box.height));
  clone.setAttribute("overflow", "visible");
  return new XMLSerializer().serializeToString(clone);
}

let measurer: CanvasRenderingContext2D | null = null;

/** `text` cut to `width` px with "…", as CSS `text-overflow: ellipsis` shows it. */
function ellipsize(text: string, font: string, width: number): string {
  measurer ??= document.createElement("canvas").getContext("2d");
  if (measurer === null) return text;
  measurer.font = font;
  if (measurer.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (measurer.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

/** The text nodes under `root` that show inside `clip`, placed relative to `origin`. */
function texts(root: Element, clip: DOMRect, origin: DOMRect): PictureText[] {
  const out: PictureText[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const text = n.textContent ?? "";
    const parent = n.parentElement;
    if (text.trim() === "" || parent === null || parent.closest("ol, svg, .sr-only") !== null) continue;
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (!visible(r, clip)) continue;
    const cs = getComputedStyle(parent);
    const cut = cs.textOverflow === "ellipsis" && parent.scrollWidth > parent.clientWidth;
    out.push({
      x: r.left - origin.left,
      y: r.top - origin.top,
      text: cut ? ellipsize(text, cs.font, parent.getBoundingClientRect().right - r.left) : text,
      fontFamily: cs.fontFamily,
      fontSize: parseFloat(cs.fontSize),
      fontWeight: cs.fontWeight,
      fill: cs.color,
    });
  }
  return out;
}

function relative(r: DOMRect, origin: DOMRect): Box {
  return { x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height };
}

/** The visible timeline inside `container` (an element with data-testid="execution-timeline" or inside one). */
export function captureTimeline(container: Element, title: string): TimelinePicture {
  const root = container.closest("[data-testid=execution-timeline]") ?? container;
  const scroll = root.querySelector("[data-testid=timeline-scroll]");
  if (scroll === null) throw new Error("no timeline on this page to export");
  const axis = root.querySelector("[data-testid=time-axis]");
  const minimap = root.querySelector("[data-testid=minimap]");
  const view = scroll.getBoundingClientRect();
  const top = (minimap ?? axis ?? scroll).getBoundingClientRect().top;
  const left = Math.min(view.left, axis?.getBoundingClientRect().left ?? view.left);
  const origin = new DOMRect(left, top, view.right - left, view.bottom - top);

  const body = getComputedStyle(document.body);
  const background = transparent(body.backgroundColor) ? "#ffffff" : body.backgroundColor;
  const picture: TimelinePicture = {
    width: origin.width,
    height: origin.height,
    background,
    title,
    images: [],
    svgs: [],
    groups: [],
  };

  for (const canvas of root.querySelectorAll<HTMLCanvasElement>(
    "[data-testid=minimap] canvas, [data-testid=timeline-canvas]",
  )) {
    const r = canvas.getBoundingClientRect();
    if (!visible(r, origin) || canvas.width === 0 || canvas.height === 0) continue;
    picture.images.push({ ...relative(r, origin), href: canvas.toDataURL("image/png") });
  }
  for (const svg of root.querySelectorAll<SVGSVGElement>(
    "[data-testid=time-axis] svg, svg[data-testid=anomaly-overlay]",
  )) {
    const r = svg.getBoundingClientRect();
    if (!visible(r, origin)) continue;
    const box = relative(r, origin);
    picture.svgs.push({ ...box, markup: inlineSvg(svg, box) });
  }
  if (axis !== null) picture.groups.push({ rects: [], lines: [], texts: texts(axis, origin, origin) });

  for (const label of scroll.querySelectorAll(LABELS)) {
    const r = label.getBoundingClientRect();
    if (!visible(r, view)) continue;
    const cs = getComputedStyle(label);
    const box = relative(r, origin);
    const group: PictureGroup = {
      // Labels scrolled half out of view are cut at the viewport, like on screen.
      clip: relative(
        new DOMRect(
          r.left,
          Math.max(r.top, view.top),
          r.width,
          Math.min(r.bottom, view.bottom) - Math.max(r.top, view.top),
        ),
        origin,
      ),
      rects: transparent(cs.backgroundColor) ? [] : [{ ...box, fill: cs.backgroundColor }],
      lines: [
        {
          x1: box.x,
          y1: box.y + box.height - 0.5,
          x2: origin.width,
          y2: box.y + box.height - 0.5,
          stroke: cs.borderBottomColor,
        },
        {
          x1: box.x + box.width - 0.5,
          y1: box.y,
          x2: box.x + box.width - 0.5,
          y2: box.y + box.height,
          stroke: cs.borderRightColor,
        },
      ],
      texts: texts(label, view, origin),
    };
    picture.groups.push(group);
  }
  return picture;
}

/** The picture as an SVG document (canvas layers embedded as PNG images). */
export function timelineSvg(container: Element, title: string): string {
  return pictureToSvg(captureTimeline(container, title));
}

/** The picture as a PNG at the screen's pixel density: canvases drawn as they are, the rest rasterised from SVG. */
export async function timelinePng(container: Element, title: string): Promise<Blob> {
  const p = captureTimeline(container, title);
  const scale = Math.max(1, window.devicePixelRatio || 1);
  const out = document.createElement("canvas");
  out.width = Math.round(p.width * scale);
  out.height = Math.round(p.height * scale);
  const ctx = out.getContext("2d");
  if (ctx === null) throw new Error("no 2D canvas to draw the PNG");
  ctx.scale(scale, scale);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, p.width, p.height);
  for (const im of p.images) ctx.drawImage(await loadImage(im.href), im.x, im.y, im.width, im.height);
  const svg = pictureToSvg(p, { images: false, background: false });
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    ctx.drawImage(await loadImage(url), 0, 0, p.width, p.height);
  } finally {
    URL.revokeObjectURL(url);
  }
  return new Promise((resolve, reject) =>
    out.toBlob(
      (b) => (b === null ? reject(new Error("the browser could not encode the PNG")) : resolve(b)),
      "image/png",
    ),
  );
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("could not draw a layer of the timeline"));
    img.src = src;
  });
}
