"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { SessionAnswer } from "@/lib/session/handlers";
import { useSession } from "./session-provider";
import { FieldMessage, inputClass } from "@/components/layout/form-bits";

interface Props {
  mode: "login" | "register";
  next: string;
  initialError?: string;
}

/** Sign-in and registration: posts to the storefront's own session handler (works without JS too). */
export function CredentialsForm({ mode, next, initialError }: Props) {
  const router = useRouter();
  const signedIn = useSession((s) => s.signedIn);
  const [error, setError] = useState(initialError ?? "");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const action = `/api/session/${mode}`;

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError("");
    setFieldErrors({});
    const fields = Object.fromEntries(new FormData(event.currentTarget).entries());
    try {
      const response = await fetch(action, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(fields),
      });
      const body = (await response.json()) as SessionAnswer;
      if (!response.ok || !body.user) {
        setError(body.error ?? "That did not work.");
        setFieldErrors(Object.fromEntries((body.fieldErrors ?? []).map((f) => [f.field, f.message])));
        return;
      }
      signedIn(body.user, body.expiresAt);
      router.push(next);
      router.refresh();
    } catch {
      setError("The shop cannot be reached. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form action={action} method="post" onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {error && <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800">{error}</p>}
      {mode === "register" && (
        <label className="flex flex-col gap-1 text-sm font-medium">
          Name
          <input name="name" autoComplete="name" required className={inputClass} />
          <FieldMessage message={fieldErrors.name} />
        </label>
      )}
      <label className="flex flex-col gap-1 text-sm font-medium">
        Email
        <input name="email" type="email" autoComplete="email" required className={inputClass} />
        <FieldMessage message={fieldErrors.email} />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Password
        <input
          name="password"
          type="password"
          autoComplete={mode === "login" ? "current-password" : "new-password"}
          required
          minLength={mode === "register" ? 10 : undefined}
          className={inputClass}
        />
        {mode === "register" && <span className="text-xs font-normal text-slate-500">At least 10 characters.</span>}
        <FieldMessage message={fieldErrors.password} />
      </label>
      <button type="submit" disabled={busy} className="rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {busy ? "Please wait…" : mode === "login" ? "Sign in" : "Create account"}
      </button>
      <p className="text-sm text-slate-600">
        {mode === "login" ? (
          <>New here? <Link className="underline" href={`/register?next=${encodeURIComponent(next)}`}>Create an account</Link></>
        ) : (
          <>Have an account? <Link className="underline" href={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link></>
        )}
      </p>
    </form>
  );
}
