import type { NextRequest } from "next/server";
import { accounts } from "@/lib/api";
import { failure, logInAnswer, readFields } from "@/lib/session/handlers";

export async function POST(request: NextRequest) {
  const { email = "", password = "", name = "", next } = await readFields(request);
  try {
    await accounts.register({ email, password, name });
    return await logInAnswer(request, email, password, next);
  } catch (error) {
    return failure(request, error);
  }
}
