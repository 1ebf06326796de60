import { createServer } from "node:http";
import handler from "./handler";

// Serves the fetch-style handler with node:http, for trying it locally. A platform (Vercel,
// Netlify, Cloudflare, Deno Deploy, Bun) calls the handler itself instead.
const server = createServer(async (req, res) => {
  try {
    let body = "";
    for await (const chunk of req.setEncoding("utf8")) body += chunk;
    const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host}`), {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  } catch (error) {
    console.error("request failed:", error);
    res.writeHead(500).end();
  }
});

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") {
    console.log(`listening on http://${address.address}:${address.port}`);
  }
});

// Ctrl-C: finish the requests in flight and exit 0. `on`, not `once`: the Agents SDK exits
// with 130 on a SIGINT that no other listener awaits, and pnpm passes the terminal's SIGINT on
// once more.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close();
  });
}
