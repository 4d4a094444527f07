"use client";

import { useCallback, useEffect, useState } from "react";
import type { OrderRead } from "@/lib/actions/orders";
import type { Order } from "@/lib/api/types";
import { shouldFollow } from "@/lib/order-status";

export const FOLLOW_EVERY_MS = 3_000;

/**
 * The order as it is now: while it moves on by itself (pending, paid, or awaiting payment once a
 * payment was taken), read it again every few seconds (one read at a time) and stop once it has
 * settled. A failed read is reported and tried again. `refresh` reads it once, now.
 */
export function useFollowedOrder(initial: Order, read: (id: string) => Promise<OrderRead>, paymentTaken = false, everyMs = FOLLOW_EVERY_MS) {
  const [order, setOrder] = useState(initial);
  const [problem, setProblem] = useState("");
  const [reads, setReads] = useState(0);

  useEffect(() => {
    if (!shouldFollow(order.status, paymentTaken)) return;
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
  }, [order.id, order.status, reads, read, everyMs, paymentTaken]);

  const refresh = useCallback(async () => {
    try {
      const answer = await read(order.id);
      if (answer.ok) setOrder(answer.order);
    } catch {
      // the next follow (or the shopper's next action) reads it again
    }
  }, [read, order.id]);

  return { order, setOrder, problem, following: shouldFollow(order.status, paymentTaken), refresh };
}
