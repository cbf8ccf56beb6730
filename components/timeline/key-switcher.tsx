"use client";

import { useState } from "react";
import { BUILTIN_KEYS, IDENTITY_FIELD, keyById } from "@/lib/audit";
import { visible } from "@/lib/text/visible";

export interface KeySwitcherProps {
  keyId: string;
  onChange(keyId: string): void;
}

const CUSTOM = "custom";

/** The partition key: the built-in candidates or a custom field list (`@identity` = the resolved lane). */
export function KeySwitcher({ keyId, onChange }: KeySwitcherProps) {
  const isCustom = keyId.startsWith("custom:");
  const [editing, setEditing] = useState(isCustom);
  const [fields, setFields] = useState(isCustom ? (keyById(keyId)?.fields.join(", ") ?? "") : "");
  const apply = () => {
    const list = fields
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    if (list.length > 0) onChange(`custom:${list.join(",")}`);
  };
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <label className="flex items-center gap-2">
        Partition key
        <select
          className="rounded border border-slate-300 bg-transparent px-2 py-1 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:bg-slate-950"
          value={editing ? CUSTOM : keyId}
          onChange={(e) => {
            if (e.target.value === CUSTOM) setEditing(true);
            else {
              setEditing(false);
              onChange(e.target.value);
            }
          }}
          data-testid="partition-key"
        >
          {BUILTIN_KEYS.map((k) => (
            <option key={k.id} value={k.id}>
              {visible(`${k.label} (${k.fields.join(", ")})`)}
            </option>
          ))}
          <option value={CUSTOM}>Custom fields…</option>
        </select>
      </label>
      {editing && (
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <input
            className="w-72 rounded border border-slate-300 bg-transparent px-2 py-1 font-mono text-xs focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700"
            value={fields}
            onChange={(e) => setFields(e.target.value)}
            placeholder={`workflow_execution_id, ${IDENTITY_FIELD}`}
            aria-label="Custom partition key fields, comma-separated"
            data-testid="custom-key"
          />
          <button
            type="submit"
            className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Apply
          </button>
        </form>
      )}
    </div>
  );
}
