"use client";

import { updateProfile } from "@/lib/actions/account";
import type { User } from "@/lib/api/types";
import { ActionForm } from "./action-form";
import { Field } from "./field";

export function ProfileForm({ user }: { user: User }) {
  return (
    <ActionForm action={updateProfile} submitLabel="Save profile" testId="profile-form">
      {(result) => (
        <>
          <p className="text-sm text-slate-600">Signed in as <strong data-testid="profile-email">{user.email}</strong></p>
          <Field label="Name" name="name" defaultValue={user.name} required autoComplete="name" error={result.fieldErrors.name} />
        </>
      )}
    </ActionForm>
  );
}
