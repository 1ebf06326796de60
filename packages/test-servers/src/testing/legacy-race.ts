import { userItem } from "@agents-memory/core/testing";
import type { Redis } from "ioredis";

/**
 * Runs `call` while another writer keeps replacing the legacy string at `key` (a JSON history
 * of one user item, written through `direct`, a plain client straight to Redis), for 5 s at
 * most. The writer has stopped when this settles; it resolves with what `call` resolved with.
 */
export async function whileLegacyStringChanges<T>(
  direct: Redis,
  key: string,
  call: () => Promise<T>,
): Promise<T> {
  let racing = true;
  let changes = 0;
  const until = Date.now() + 5_000;
  const otherWriter = (async () => {
    while (racing && Date.now() < until) {
      await direct.set(key, JSON.stringify([userItem(`other ${++changes}`)]));
    }
  })();
  try {
    return await call();
  } finally {
    racing = false;
    await otherWriter;
  }
}
