import { CATEGORY_COLOURS, type EventCategory } from "./event-category";

export function Legend() {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-400" aria-label="Legend">
      {(Object.keys(CATEGORY_COLOURS) as EventCategory[]).map((c) => (
        <li key={c} className="flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: CATEGORY_COLOURS[c] }} />
          {c}
        </li>
      ))}
      <li className="flex items-center gap-1">
        <span className="inline-block h-2.5 w-2.5 rounded-full border-2 border-slate-500" /> no seq
      </li>
      <li className="flex items-center gap-1">
        <span className="inline-block h-3 w-3 rounded-full border-2 border-red-600" /> in an anomaly
      </li>
    </ul>
  );
}
