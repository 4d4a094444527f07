import type { NextRequest } from "next/server";
import { refreshAnswer } from "@/lib/session/handlers";

export async function POST(request: NextRequest) {
  return refreshAnswer(request);
}
