import { afterAll, expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../src/redis";
import { trustedCertificate } from "../src/tls";
import { startUpstashServer, type UpstashServer } from "../src/upstash";

const redisServer: RedisServer = await startRedisServer();
const upstash: UpstashServer = await startUpstashServer({
  redisPort: redisServer.port,
  tls: trustedCertificate(),
});

afterAll(async () => {
  await upstash.close();
  await redisServer.stop();
});

test("serves HTTPS with a certificate the process trusts (NODE_EXTRA_CA_CERTS), verification on", async () => {
  expect(upstash.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(upstash.url, {
    method: "POST",
    headers: { authorization: `Bearer ${upstash.token}`, "upstash-sync-token": "7" },
    body: JSON.stringify(["ECHO", "over tls"]),
  });
  expect(await response.json()).toEqual({ result: "over tls" });
  expect(upstash.requests.log[0]).toMatchObject({ commands: ["echo"], syncToken: "7" });
});

test("a plain-HTTP request to it is not answered as HTTP", async () => {
  await expect(fetch(upstash.url.replace("https:", "http:"))).rejects.toThrow();
});
