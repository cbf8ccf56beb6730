// The matrix as a picture: contracts down, keys across, each cell coloured by how
// often it was clean (red never, amber split, green always; pale green: clean but
// some seq never checked). A plain SVG string, no fonts or clocks in it, so the
// same result draws the same bytes (exported next to the written answer).
import { describeContract, keyLabel } from "./contracts";
import { alwaysClean, breakingScenarios, brokenByBaseline, conclude, verdictCells } from "./conclusion";
import type { LabResult } from "./run-lab";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function fill(clean: number, runs: number, unchecked: boolean): string {
  if (runs > 0 && clean === runs) return unchecked ? "#d1fae5" : "#6ee7b7";
  return clean > 0 ? "#fcd34d" : "#fca5a5";
}

/** Per scenario run alone (and the baseline with none), how many contract × key cells it breaks. */
export function scenarioBars(result: LabResult): { id: string; label: string; broken: number }[] {
  const letters = new Map(result.options.scenarios.map((id, i) => [id, String.fromCharCode(65 + i)]));
  const alone = new Set(result.workloads.filter((w) => w !== "all"));
  const rows: { id: string; label: string; broken: number }[] = [];
  if (alone.has("none"))
    rows.push({
      id: "none",
      label: "0 none (the baseline)",
      broken: countBroken(result, (c, k) => brokenByBaseline(result, c, k)),
    });
  for (const [id, letter] of letters) {
    if (!alone.has(id)) continue;
    rows.push({
      id,
      label: `${letter} ${id}`,
      broken: countBroken(result, (c, k) => breakingScenarios(result, c, k).includes(id)),
    });
  }
  return rows;
}

function countBroken(result: LabResult, broken: (contractId: string, keyId: string) => boolean): number {
  let n = 0;
  for (const c of result.contracts) for (const k of result.keys) if (broken(c.id, k.id)) n++;
  return n;
}

export function labHeatmap(result: LabResult): string {
  const cells = verdictCells(result);
  const best = conclude(result).best;
  const letters = new Map(result.options.scenarios.map((id, i) => [id, String.fromCharCode(65 + i)]));
  const labelW = 430;
  const cw = 96;
  const ch = 30;
  // Room for the rotated key labels (the longest runs about 500 px along its slant).
  const headH = 340;
  const w = labelW + cw * result.keys.length + 420;
  // Below the matrix, a bar per scenario: how many cells it breaks on its own (none when no scenario ran alone).
  const bars = scenarioBars(result);
  const barsTop = headH + ch * result.contracts.length + 56;
  const barH = 20;
  const h = barsTop + (bars.length > 0 ? 28 + barH * bars.length : 0) + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
  ];
  result.keys.forEach((k, i) => {
    const x = labelW + i * cw + cw / 2;
    out.push(
      `<text transform="translate(${x},${headH - 6}) rotate(-35)" font-family="monospace">${esc(keyLabel(k))}</text>`,
    );
  });
  result.contracts.forEach((c, r) => {
    const y = headH + r * ch;
    out.push(`<text x="4" y="${y + ch / 2 + 4}">${esc(describeContract(c))}</text>`);
    result.keys.forEach((k, i) => {
      const cell = cells.find((x) => x.contractId === c.id && x.keyId === k.id);
      if (!cell) return;
      const x = labelW + i * cw;
      const star = best && best.contractId === c.id && best.keyId === k.id;
      const why =
        (brokenByBaseline(result, c.id, k.id) ? "0" : "") +
        breakingScenarios(result, c.id, k.id)
          .map((id) => letters.get(id))
          .join("");
      out.push(
        `<rect x="${x + 1}" y="${y + 1}" width="${cw - 2}" height="${ch - 2}" rx="3" fill="${fill(cell.cleanRuns, cell.runs, alwaysClean(cell) && cell.score.noKey > 0)}"${star ? ' stroke="#b45309" stroke-width="3"' : ""}/>`,
        `<text x="${x + 5}" y="${y + 13}">${star ? "★ " : ""}${cell.cleanRuns}/${cell.runs}</text>`,
        `<text x="${x + 5}" y="${y + 25}" fill="#7f1d1d" font-family="monospace">${esc(why)}</text>`,
      );
    });
  });
  if (bars.length > 0) {
    const total = result.contracts.length * result.keys.length;
    const barW = cw * result.keys.length;
    out.push(`<text x="4" y="${barsTop}" font-weight="bold">Cells each scenario breaks alone (of ${total})</text>`);
    bars.forEach((b, i) => {
      const y = barsTop + 12 + i * barH;
      const len = total > 0 ? Math.round((b.broken / total) * barW) : 0;
      out.push(
        `<text x="4" y="${y + 13}">${esc(b.label)}</text>`,
        `<rect x="${labelW}" y="${y + 2}" width="${barW}" height="${barH - 6}" fill="#f1f5f9"/>`,
        `<rect x="${labelW}" y="${y + 2}" width="${len}" height="${barH - 6}" fill="#f87171"/>`,
        `<text x="${labelW + barW + 6}" y="${y + 13}">${b.broken}</text>`,
      );
    });
  }
  const legend = [...letters].map(([id, l]) => `${l} ${id}`).join(", ");
  out.push(
    `<text x="4" y="${h - 22}">Runs clean of runs with every scenario on; letters: scenarios that alone break the cell (${esc(legend)}; 0: no scenario needed).</text>`,
    `<text x="4" y="${h - 8}">Green: clean in every run (pale: some seq never checked); amber: split; red: never clean; ★ recommended.</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
