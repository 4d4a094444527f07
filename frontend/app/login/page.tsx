import type { Metadata } from "next";
import { CredentialsForm } from "@/components/session/credentials-form";
import { safeNext } from "@/lib/session/handlers";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<{ next?: string; error?: string }> };

export default async function LoginPage({ searchParams }: Props) {
  const { next, error } = await searchParams;
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="mb-6 text-2xl font-semibold">Sign in</h1>
      <CredentialsForm mode="login" next={safeNext(next)} initialError={error} />
    </div>
  );
}
