/** startResponsesServer: auth, routes (/v1/models, /v1/responses, /v1/responses/compact), the
 * script, the listener. */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLocal } from "../listen";
import { type Conversations, compactResponse, inputList } from "./compact";
import {
  defaultError,
  incorrectApiKey,
  invalidUrl,
  missingApiKey,
  missingModel,
  modelNotFound,
  unparsableJson,
} from "./errors";
import { readBody, sendError, sendJson } from "./http";
import { inputProblem, type ReasoningPairs, rememberReasoningPairs } from "./input-checks";
import { lastUserText, modelObject, outputItems, responseObject } from "./response";
import { sendStream } from "./stream";
import type { ResponsesServer, ResponsesServerOptions, ScriptStep } from "./types";

export async function startResponsesServer(
  options: ResponsesServerOptions = {},
): Promise<ResponsesServer> {
  const apiKey = options.apiKey ?? "test-key";
  const model = options.model ?? "gpt-test";
  const validate = options.validateInput ?? true;
  const pairs: ReasoningPairs = { followerOf: new Map(), reasoningOf: new Map() };
  const queue: ScriptStep[] = [];
  let decide: ((body: any) => ScriptStep | undefined) | undefined;
  const requests: any[] = [];
  const compactions: any[] = [];
  const conversations: Conversations = new Map();
  const responses: any[] = [];
  const listeners = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let closed: Promise<void> | undefined;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    if (!url.pathname.startsWith("/v1/")) {
      return sendError(res, 404, invalidUrl(method, url.pathname));
    }
    const auth = req.headers.authorization;
    if (!auth) {
      return sendError(res, 401, missingApiKey());
    }
    const given = /^Bearer\s+(.*)$/i.exec(auth)?.[1]?.trim() ?? "";
    if (given !== apiKey) {
      return sendError(res, 401, incorrectApiKey(given));
    }

    if (method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [modelObject(model)] });
    }
    if (method === "GET" && url.pathname.startsWith("/v1/models/")) {
      const id = decodeURIComponent(url.pathname.slice("/v1/models/".length));
      if (id === model) return sendJson(res, 200, modelObject(model));
      return sendError(res, 404, modelNotFound(id));
    }
    const compact = method === "POST" && url.pathname === "/v1/responses/compact";
    if (!compact && (method !== "POST" || url.pathname !== "/v1/responses")) {
      return sendError(res, 404, invalidUrl(method, url.pathname));
    }

    let body: any;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendError(res, 400, unparsableJson());
    }
    if (compact) {
      compactions.push(body);
      const answer = compactResponse(body, conversations, validate ? pairs : undefined);
      if ("error" in answer) return sendError(res, answer.status, answer.error);
      return sendJson(res, 200, answer.response);
    }
    requests.push(body);
    notify();

    if (!body || typeof body !== "object" || typeof body.model !== "string" || !body.model) {
      return sendError(res, 400, missingModel());
    }
    if (validate) {
      const problem = inputProblem(body, pairs);
      if (problem) return sendError(res, 400, problem);
    }

    let step: ScriptStep = queue.shift() ??
      decide?.(body) ?? { text: `echo: ${lastUserText(body.input)}` };
    while ("delayMs" in step) {
      const delay = step.delayMs;
      const aborted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          res.off("close", onClose);
          resolve(false);
        }, delay);
        const onClose = () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve(true);
        };
        timers.add(timer);
        res.once("close", onClose);
      });
      if (aborted || closed) return;
      step = step.then;
    }

    if ("error" in step) {
      const status = step.error.status;
      const errorBody = step.error.body ?? { error: defaultError(status) };
      return sendJson(res, status, errorBody, step.error.headers);
    }

    if ("streamFailure" in step && body.stream !== true) return void res.destroy();
    const output = outputItems(step);
    const response = responseObject(body, output);
    if ("streamFailure" in step) {
      const { afterDeltas, deltaDelayMs, how } = step.streamFailure;
      return sendStream(res, response, { deltaDelayMs, failure: { afterDeltas, how } });
    }
    rememberReasoningPairs(output, pairs);
    responses.push(response);
    conversations.set(response.id, { input: inputList(body.input), output });
    if (body.stream === true) {
      return sendStream(res, response, { deltaDelayMs: "text" in step ? step.deltaDelayMs : 0 });
    }
    return sendJson(res, 200, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) {
        sendError(res, 500, { ...defaultError(500), message: String(error) });
      } else {
        res.destroy();
      }
    });
  });
  const port = await listenLocal(server, options.port);

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    responses,
    compactions,
    script: (...steps) => {
      queue.push(...steps);
    },
    respondWith: (fn) => {
      decide = fn;
    },
    pending: () => queue.length,
    waitForRequests: (count, timeoutMs = 10_000) =>
      new Promise<any[]>((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(requests.slice());
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `waitForRequests(${count}) timed out after ${timeoutMs} ms with ${requests.length} request(s)`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    close: () => {
      if (closed) return closed;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
