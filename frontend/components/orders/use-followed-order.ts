"use client";

import { useEffect, useState } from "react";
import type { OrderRead } from "@/lib/actions/orders";
import type { Order } from "@/lib/api/types";
import { shouldFollow } from "@/lib/order-status";

export const FOLLOW_EVERY_MS = 3_000;

/**
 * The order as it is now: while it is pending, read it again every few seconds (one read at a
 * time) and stop once it has moved on. A failed read is reported and tried again.
 */
export function useFollowedOrder(initial: Order, read: (id: string) => Promise<OrderRead>, everyMs = FOLLOW_EVERY_MS) {
  const [order, setOrder] = useState(initial);
  const [problem, setProblem] = useState("");
  const [reads, setReads] = useState(0);

  useEffect(() => {
    if (!shouldFollow(order.status)) return;
    let current = true;
    const timer = window.setTimeout(async () => {
      let answer: OrderRead;
      try {
        answer = await read(order.id);
      } catch {
        answer = { ok: false, message: "The shop cannot be reached. Still trying…" };
      }
      if (!current) return;
      if (answer.ok) setOrder(answer.order);
      setProblem(answer.ok ? "" : answer.message);
      setReads((n) => n + 1);
    }, everyMs);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [order.id, order.status, reads, read, everyMs]);

  return { order, setOrder, problem, following: shouldFollow(order.status) };
}
