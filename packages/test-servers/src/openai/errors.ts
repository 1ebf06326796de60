/** Error bodies in OpenAI's shape: `{ error: { message, type, param, code } }`, with the
 * API's own wording. */

export interface ApiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function defaultError(status: number): ApiErrorBody {
  switch (status) {
    case 400:
      return {
        message: "Invalid request.",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
    case 401:
      return {
        message: "Incorrect API key provided.",
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      };
    case 403:
      return {
        message: "You are not allowed to sample from this model",
        type: "invalid_request_error",
        param: null,
        code: null,
      };
    case 404:
      return {
        message: "The model does not exist or you do not have access to it.",
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      };
    case 429:
      return {
        message: "Rate limit reached for requests. Please try again in 1s.",
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      };
    case 503:
      return {
        message: "The server is overloaded or not ready yet.",
        type: "server_error",
        param: null,
        code: null,
      };
    default:
      return {
        message:
          status >= 500
            ? "The server had an error while processing your request. Sorry about that!"
            : `Request failed with status ${status}.`,
        type: status >= 500 ? "server_error" : "invalid_request_error",
        param: null,
        code: null,
      };
  }
}

export function invalidUrl(method: string, path: string): ApiErrorBody {
  return {
    message: `Invalid URL (${method} ${path})`,
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}

function maskKey(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

export function missingApiKey(): ApiErrorBody {
  return {
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}

export function incorrectApiKey(given: string): ApiErrorBody {
  return {
    message: `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: "invalid_request_error",
    param: null,
    code: "invalid_api_key",
  };
}

export function modelNotFound(id: string): ApiErrorBody {
  return {
    message: `The model '${id}' does not exist or you do not have access to it.`,
    type: "invalid_request_error",
    param: null,
    code: "model_not_found",
  };
}

export function unparsableJson(): ApiErrorBody {
  return {
    message:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
    type: "invalid_request_error",
    param: null,
    code: null,
  };
}

export function missingModel(): ApiErrorBody {
  return {
    message: "Missing required parameter: 'model'.",
    type: "invalid_request_error",
    param: "model",
    code: "missing_required_parameter",
  };
}
