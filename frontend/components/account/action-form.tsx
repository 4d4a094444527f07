"use client";

import { useActionState, type ReactNode } from "react";
import { initialResult, type ActionResult } from "@/lib/actions/result";

interface Props {
  action: (previous: ActionResult, form: FormData) => Promise<ActionResult>;
  submitLabel: string;
  children: (result: ActionResult) => ReactNode;
  testId?: string;
}

/** A form bound to a server action, showing its message and field errors (React resets it after success). */
export function ActionForm({ action, submitLabel, children, testId }: Props) {
  const [result, formAction, pending] = useActionState(action, initialResult);
  return (
    <form action={formAction} className="flex flex-col gap-3" data-testid={testId}>
      {result.message && (
        <p role={result.ok ? "status" : "alert"} className={`rounded p-2 text-sm ${result.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
          {result.message}
        </p>
      )}
      {children(result)}
      <button type="submit" disabled={pending} className="self-start rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {pending ? "Saving…" : submitLabel}
      </button>
    </form>
  );
}
