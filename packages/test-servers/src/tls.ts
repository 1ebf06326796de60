import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate for 127.0.0.1 and localhost, PEM. */
export interface ThrowawayCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM: give it to a client as its trusted CA. */
  cert: string;
}

/**
 * Makes a self-signed certificate (P-256, valid one day) for 127.0.0.1 and localhost with the
 * `openssl` binary, so a local server speaks TLS as a real service does (the handshake's round
 * trips included). openssl rather than an npm package: it is on every machine that has a
 * redis-server build toolchain, and the certificate is an ordinary one.
 * @throws Error when `openssl` is not on PATH.
 */
export function throwawayCertificate(): ThrowawayCertificate {
  const dir = mkdtempSync(join(tmpdir(), "am-tls-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where {@link prepareTrustedCertificate} puts the key's and the certificate's paths. */
const KEY_ENV = "AGENTS_MEMORY_TEST_TLS_KEY";
const CERT_ENV = "AGENTS_MEMORY_TEST_TLS_CERT";

/**
 * Writes a throwaway certificate to a temp dir and adds it to `NODE_EXTRA_CA_CERTS`, so that
 * every process started from now on (vitest's workers, a re-launched bench) trusts it through
 * Node's own mechanism, with verification on: the way an operator trusts a private CA. Node
 * reads that variable once, at start-up, so this process itself does not trust it. Call it
 * from a vitest config (it runs before the workers start). Idempotent.
 *
 * Adds, never replaces: a machine behind a TLS-inspecting proxy names its CA there, and
 * Node's official builds trust nothing else (npm run by a test, e.g. the packed-package
 * check, reaches the registry only with it).
 */
export function prepareTrustedCertificate(): void {
  if (process.env[KEY_ENV]) return;
  const { key, cert } = throwawayCertificate();
  const dir = mkdtempSync(join(tmpdir(), "am-ca-"));
  writeFileSync(join(dir, "key.pem"), key, { mode: 0o600 });
  writeFileSync(join(dir, "cert.pem"), cert);
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  const bundle = inherited && existsSync(inherited) ? readFileSync(inherited, "utf8") : "";
  writeFileSync(join(dir, "bundle.pem"), `${bundle.trimEnd()}\n${cert}`.trimStart());
  process.env[KEY_ENV] = join(dir, "key.pem");
  process.env[CERT_ENV] = join(dir, "cert.pem");
  process.env.NODE_EXTRA_CA_CERTS = join(dir, "bundle.pem");
}

/**
 * The certificate this process trusts, prepared by {@link prepareTrustedCertificate} in the
 * process that started it: give it to a local HTTPS server.
 * @throws Error when none was prepared (the message says where to call it).
 */
export function trustedCertificate(): ThrowawayCertificate {
  const keyPath = process.env[KEY_ENV];
  const certPath = process.env[CERT_ENV];
  if (!keyPath || !certPath) {
    throw new Error(
      "no trusted test certificate: call prepareTrustedCertificate() in the vitest config (or the process that starts this one)",
    );
  }
  return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
}
