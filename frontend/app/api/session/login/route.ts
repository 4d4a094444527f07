import type { NextRequest } from "next/server";
import { failure, logInAnswer, readFields } from "@/lib/session/handlers";

export async function POST(request: NextRequest) {
  const { email = "", password = "", next } = await readFields(request);
  try {
    return await logInAnswer(request, email, password, next);
  } catch (error) {
    return failure(request, error);
  }
}
