import { describe, expect, test } from "vitest";
import { buildAgentText, type ChatMessage, parseCommand, senderLabel } from "../src/message-text";

const ann = { id: 10, isBot: false, firstName: "Ann", username: "ann_k" };
const bob = { id: 11, isBot: false, firstName: "Bob" };

function msg(text: string | undefined, extra: Partial<ChatMessage> = {}): ChatMessage {
  const command = text ? /^\/\S+/.exec(text) : null;
  return {
    messageId: 5,
    chatId: 1,
    from: ann,
    text,
    entities: command ? [{ type: "bot_command", offset: 0, length: command[0].length }] : [],
    ...extra,
  };
}

describe("sender label", () => {
  test("first_name(username), or first_name alone without a username", () => {
    expect(senderLabel(ann)).toBe("Ann(ann_k)");
    expect(senderLabel(bob)).toBe("Bob");
  });
});

describe("commands", () => {
  test("come from a bot_command entity at offset 0, with an optional @bot", () => {
    expect(parseCommand(msg("/a what is x"))).toEqual({
      name: "a",
      target: undefined,
      rest: "what is x",
    });
    expect(parseCommand(msg("/GPT@My_Bot  hi"))).toEqual({
      name: "gpt",
      target: "my_bot",
      rest: "hi",
    });
    expect(parseCommand(msg("/a\nmulti\nline"))?.rest).toBe("multi\nline");
  });

  test("text that starts with a slash but has no entity is not a command", () => {
    expect(parseCommand({ text: "/a hi", entities: [] })).toBeUndefined();
    expect(
      parseCommand({
        text: "see /a later",
        entities: [{ type: "bot_command", offset: 4, length: 2 }],
      }),
    ).toBeUndefined();
  });
});

describe("the text given to the agent", () => {
  test("is `Name(username): text` with the command removed", () => {
    expect(buildAgentText(msg("/a what is a monad?"), { quoteReply: true })).toBe(
      "Ann(ann_k): what is a monad?",
    );
    expect(buildAgentText(msg("plain", { from: bob }), { quoteReply: true })).toBe("Bob: plain");
  });

  test("puts the replied-to message first, then a blank line", () => {
    const replyTo = msg("the sky is green", { messageId: 4, from: bob, entities: [] });
    expect(buildAgentText(msg("/a is that true?", { replyTo }), { quoteReply: true })).toBe(
      "Bob: the sky is green\n\nAnn(ann_k): is that true?",
    );
    expect(buildAgentText(msg("/a is that true?", { replyTo }), { quoteReply: false })).toBe(
      "Ann(ann_k): is that true?",
    );
  });

  test("a bare command replying to someone gives the quote alone", () => {
    const replyTo = msg("/gpt explain closures", { messageId: 4, from: bob });
    expect(buildAgentText(msg("/a", { replyTo }), { quoteReply: true })).toBe(
      "Bob: explain closures",
    );
  });
});
