// The visible timeline as one SVG document. Pure: capture-timeline.ts reads
// the page (canvas pixels, the overlay SVG with its computed styles, label
// texts) into a TimelinePicture; this writes it out. The PNG export draws the
// canvases itself and rasterises the rest from the same SVG without images.
import { visible } from "../text/visible";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PictureText {
  x: number;
  /** Top of the text's line box. */
  y: number;
  text: string;
  fontFamily: string;
  fontSize: number;
  fontWeight: string;
  fill: string;
}

export interface PictureGroup {
  /** Everything in the group is clipped to this box (a label cell truncates its text). */
  clip?: Box;
  rects: (Box & { fill: string })[];
  lines: { x1: number; y1: number; x2: number; y2: number; stroke: string }[];
  texts: PictureText[];
}

export interface TimelinePicture {
  width: number;
  height: number;
  background: string;
  title: string;
  /** Raster layers (the canvas marks), as data URLs. */
  images: (Box & { href: string })[];
  /** Vector layers: serialised <svg> elements with inlined styles, placed at their box. */
  svgs: (Box & { markup: string })[];
  groups: PictureGroup[];
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

/**
 * Text as an SVG shows it: invisible and reordering characters marked (visible),
 * then escaped. Also keeps the document well-formed: XML 1.0 has no C0 controls.
 */
const svgText = (s: string) => escapeXml(visible(s));

const num = (v: number) => String(Math.round(v * 100) / 100);

export interface SvgOptions {
  /** Leave out the raster layers (the PNG export draws them itself). Default true. */
  images?: boolean;
  /** Leave out the background (PNG: drawn first, under the canvases). Default true. */
  background?: boolean;
}

export function pictureToSvg(p: TimelinePicture, opts: SvgOptions = {}): string {
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${num(p.width)}" height="${num(p.height)}" viewBox="0 0 ${num(p.width)} ${num(p.height)}">`,
    `<title>${svgText(p.title)}</title>`,
  );
  if (opts.background !== false) {
    out.push(`<rect width="100%" height="100%" fill="${escapeXml(p.background)}"/>`);
  }
  if (opts.images !== false) {
    for (const im of p.images) {
      out.push(
        `<image x="${num(im.x)}" y="${num(im.y)}" width="${num(im.width)}" height="${num(im.height)}" preserveAspectRatio="none" href="${escapeXml(im.href)}"/>`,
      );
    }
  }
  const defs: string[] = [];
  p.groups.forEach((g, i) => {
    let open = "<g>";
    if (g.clip !== undefined) {
      defs.push(
        `<clipPath id="seqscope-clip-${i}"><rect x="${num(g.clip.x)}" y="${num(g.clip.y)}" width="${num(g.clip.width)}" height="${num(g.clip.height)}"/></clipPath>`,
      );
      open = `<g clip-path="url(#seqscope-clip-${i})">`;
    }
    out.push(open);
    for (const r of g.rects) {
      out.push(
        `<rect x="${num(r.x)}" y="${num(r.y)}" width="${num(r.width)}" height="${num(r.height)}" fill="${escapeXml(r.fill)}"/>`,
      );
    }
    for (const l of g.lines) {
      out.push(
        `<line x1="${num(l.x1)}" y1="${num(l.y1)}" x2="${num(l.x2)}" y2="${num(l.y2)}" stroke="${escapeXml(l.stroke)}"/>`,
      );
    }
    for (const t of g.texts) {
      out.push(
        `<text x="${num(t.x)}" y="${num(t.y)}" dominant-baseline="text-before-edge" font-family="${escapeXml(t.fontFamily)}" font-size="${num(t.fontSize)}" font-weight="${escapeXml(t.fontWeight)}" fill="${escapeXml(t.fill)}" xml:space="preserve">${svgText(t.text)}</text>`,
      );
    }
    out.push("</g>");
  });
  for (const s of p.svgs) {
    out.push(`<g transform="translate(${num(s.x)},${num(s.y)})">${s.markup}</g>`);
  }
  if (defs.length > 0) out.splice(2, 0, `<defs>${defs.join("")}</defs>`);
  out.push("</svg>");
  return out.join("\n");
}
