"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime } from "@/lib/format";

const never = () => () => {};

/** A UTC time from the API in the reader's locale and time zone (UTC in the first HTML). */
export function LocalTime({ iso }: { iso: string }) {
  const text = useSyncExternalStore(never, () => formatDateTime(iso), () => formatDateTime(iso, "en-US", "UTC"));
  return <time dateTime={iso}>{text}</time>;
}
