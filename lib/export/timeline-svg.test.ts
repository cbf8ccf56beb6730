import { describe, expect, it } from "vitest";
import { escapeXml, pictureToSvg, type PictureGroup, type PictureText, type TimelinePicture } from "./timeline-svg";

/* A two-lane picture: one canvas layer, one overlay, a clipped label with markup-like text. */
const picture: TimelinePicture = {
  width: 300,
  height: 100,
  background: "rgb(255, 255, 255)",
  title: "wfx-1 <invocation>",
  images: [{ x: 100, y: 20, width: 200, height: 80, href: "data:image/png;base64,AAAA" }],
  svgs: [{ x: 100, y: 20, width: 200, height: 80, markup: '<svg width="200" height="80"><circle r="3"/></svg>' }],
  groups: [
    {
      clip: { x: 0, y: 20, width: 100, height: 40 },
      rects: [{ x: 0, y: 20, width: 100, height: 40, fill: "rgb(254, 242, 242)" }],
      lines: [{ x1: 0, y1: 59.5, x2: 300, y2: 59.5, stroke: "rgb(226, 232, 240)" }],
      texts: [
        {
          x: 4,
          y: 24,
          text: "a & <b>",
          fontFamily: '"Inter", sans-serif',
          fontSize: 12,
          fontWeight: "500",
          fill: "#000",
        },
      ],
    },
  ],
};

const text = (picture.groups[0] as PictureGroup).texts[0] as PictureText;

describe("pictureToSvg", () => {
  it("writes a standalone SVG document with every layer, escaped", () => {
    const svg = pictureToSvg(picture);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<title>wfx-1 &lt;invocation&gt;</title>");
    expect(svg).toContain('href="data:image/png;base64,AAAA"');
    expect(svg).toContain('<g transform="translate(100,20)"><svg width="200" height="80"><circle r="3"/></svg></g>');
    expect(svg).toContain('clip-path="url(#seqscope-clip-0)"');
    expect(svg).toContain(">a &amp; &lt;b&gt;</text>");
    expect(svg).toContain('font-family="&quot;Inter&quot;, sans-serif"');
    // The overlay goes over the canvas marks.
    expect(svg.indexOf("<image")).toBeLessThan(svg.indexOf("<circle"));
  });

  it("leaves the raster layers and background out for the PNG path", () => {
    const svg = pictureToSvg(picture, { images: false, background: false });
    expect(svg).not.toContain("<image");
    expect(svg).not.toContain('height="100%"');
  });

  it("marks bidi, invisible and control characters in texts and the title, and stays well-formed XML", () => {
    const hostile: TimelinePicture = {
      ...picture,
      title: "wfx\u202Egnp.exe",
      groups: [
        {
          ...(picture.groups[0] as PictureGroup),
          texts: [{ ...text, text: "agent\u202Egnp.exe\u0000\u200b</text><script>" }],
        },
      ],
    };
    const svg = pictureToSvg(hostile);
    expect(svg).toContain("<title>wfx⟨U+202E⟩gnp.exe</title>");
    expect(svg).toContain(">agent⟨U+202E⟩gnp.exe⟨U+0000⟩⟨U+200B⟩&lt;/text&gt;&lt;script&gt;</text>");
    expect(svg).not.toMatch(/[\u0000\u200b\u202e]/);
    expect(svg).not.toContain("<script");
  });

  it("escapes the five XML specials", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });
});
