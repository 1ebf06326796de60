import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { throwawayCertificate } from "../src/tls";

const run = promisify(execFile);
const tlsModule = fileURLToPath(new URL("../src/tls.ts", import.meta.url));

// The case: on a machine behind a TLS-inspecting proxy NODE_EXTRA_CA_CERTS names the proxy's
// CA; replacing it left npm (run by the packed-package check) unable to reach the registry on
// Node's official builds (SELF_SIGNED_CERT_IN_CHAIN, retried until the test's timeout).
test("the test certificate is added to the CAs NODE_EXTRA_CA_CERTS already names, not put in their place", async () => {
  const dir = await mkdtemp(join(tmpdir(), "am-tls-test-"));
  try {
    const machineCa = throwawayCertificate().cert;
    await writeFile(join(dir, "machine-ca.pem"), machineCa);
    const script = [
      `const tls = await import(${JSON.stringify(tlsModule)});`,
      "tls.prepareTrustedCertificate();",
      "console.log(JSON.stringify({ bundle: process.env.NODE_EXTRA_CA_CERTS, cert: tls.trustedCertificate().cert }));",
    ].join("\n");
    const { stdout } = await run("node", ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: join(dir, "machine-ca.pem"),
      },
    });
    const { bundle, cert } = JSON.parse(stdout) as { bundle: string; cert: string };
    const trusted = await readFile(bundle, "utf8");
    expect(trusted).toContain(machineCa.trim());
    expect(trusted).toContain(cert.trim());
    expect(cert).not.toBe(machineCa);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
