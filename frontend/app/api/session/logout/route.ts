import type { NextRequest } from "next/server";
import { logOutAnswer } from "@/lib/session/handlers";

export async function POST(request: NextRequest) {
  return logOutAnswer(request);
}
