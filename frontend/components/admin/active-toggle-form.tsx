"use client";

import type { ReactNode } from "react";
import { ActionForm } from "@/components/account/action-form";
import type { ActionResult } from "@/lib/actions/result";

interface Props {
  action: (previous: ActionResult, form: FormData) => Promise<ActionResult>;
  id: string;
  active: boolean;
  /** The button: what pressing it does now. */
  labels: { deactivate: string; activate: string };
  /** What the current state means for the shop. */
  explain: { active: string; inactive: string };
  testId?: string;
  /** More hidden fields the action reads. */
  children?: ReactNode;
}

/**
 * Take something out of the shop, or put it back (a product, a category, a warehouse): one button
 * for what its state allows, sending `id` and `intent`, and what the last press did said above it
 * (one form whichever it shows, so the message outlives the change).
 */
export function ActiveToggleForm({ action, id, active, labels, explain, testId, children }: Props) {
  return (
    <ActionForm action={action} submitLabel={active ? labels.deactivate : labels.activate} testId={testId}>
      {() => (
        <>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="intent" value={active ? "deactivate" : "activate"} />
          {children}
          <p className="text-sm text-slate-600">{active ? explain.active : explain.inactive}</p>
        </>
      )}
    </ActionForm>
  );
}
