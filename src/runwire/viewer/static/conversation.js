// A chat-model run as a conversation: system/human/AI/tool turns, tool calls as cards with their
// results, the reply with its finish reason, tokens and time to first token.
"use strict";

const ROLES = { system: "System", human: "Human", ai: "AI", tool: "Tool", function: "Function" };

function roleOf(message) {
  return String(message.type || "").replace(/MessageChunk$/, "").toLowerCase();
}

function messagesOf(run) {
  const inputs = run.inputs || {};
  let messages = inputs.messages || inputs.input || [];
  if (Array.isArray(messages) && messages.length && Array.isArray(messages[0])) messages = messages.flat();
  if (Array.isArray(inputs.prompts)) return inputs.prompts.map((p) => ({ type: "human", content: p }));
  return Array.isArray(messages) ? messages.filter((m) => m && typeof m === "object") : [];
}

function replyOf(run) {
  const outputs = run.outputs || {};
  const generation = ((outputs.generations || [])[0] || [])[0];
  if (!generation) return null;
  const message = generation.message || { type: "ai", content: generation.text || "" };
  const finish = (generation.generation_info || {}).finish_reason || (message.response_metadata || {}).finish_reason
    || (message.response_metadata || {}).stop_reason;
  return { message, finish };
}

// Tool results by tool-call id: tool messages anywhere in the trace's inputs, and tool runs' outputs.
function toolResults(runs) {
  const found = new Map();
  const note = (message) => {
    if (message && roleOf(message) === "tool" && message.tool_call_id && !found.has(message.tool_call_id)) found.set(message.tool_call_id, message);
  };
  for (const run of runs) {
    if (run.run_type === "tool") note(run.outputs && run.outputs.output ? run.outputs.output : run.outputs);
    if (run.run_type === "llm") messagesOf(run).forEach(note);
  }
  return found;
}

function contentParts(content) {
  if (typeof content === "string") return content ? [el("div", { class: "text", text: content })] : [];
  if (!Array.isArray(content)) return [el("pre", { text: pretty(content) })];
  return content.map((part) => {
    if (typeof part === "string") return el("div", { class: "text", text: part });
    if (part.type === "text") return el("div", { class: "text", text: part.text || "" });
    const url = part.type === "image_url" ? (part.image_url && part.image_url.url) || part.image_url
      : part.type === "image" && part.source && part.source.data ? `data:${part.source.media_type};base64,${part.source.data}` : null;
    if (typeof url === "string" && /^data:image\/(png|jpeg|gif|webp);base64,/.test(url)) {
      return el("img", { class: "thumb", src: url, alt: "image in the message" });
    }
    if (typeof url === "string") return el("div", { class: "dim", text: `image: ${url.slice(0, 120)}` });
    return el("pre", { text: pretty(part) });
  });
}

function toolCard(call, results) {
  const result = results.get(call.id);
  return el("div", { class: "tool-card", "data-call": call.id || "" },
    el("div", { class: "tool-head" }, el("span", { class: "tool-name", text: call.name }),
      el("span", { class: "mono dim", text: call.id || "" })),
    el("pre", { class: "tool-args", text: JSON.stringify(call.args, null, 2) }),
    result ? el("div", { class: "tool-result" }, el("span", { class: "dim", text: "result " }),
      ...contentParts(result.content)) : el("div", { class: "dim", text: "no result in this trace" }));
}

function turn(message, results, extra) {
  const role = roleOf(message);
  const calls = message.tool_calls || [];
  return el("div", { class: `turn turn-${role}${extra ? " reply" : ""}` },
    el("div", { class: "role", text: ROLES[role] || role }),
    el("div", { class: "body" }, ...contentParts(message.content), ...calls.map((c) => toolCard(c, results)), extra));
}

function conversation(run, runs) {
  const results = toolResults(runs);
  const shown = new Set(messagesOf(run).flatMap((m) => (m.tool_calls || []).map((c) => c.id)));
  const turns = messagesOf(run)
    .filter((m) => !(roleOf(m) === "tool" && shown.has(m.tool_call_id))) // shown in its call's card
    .map((m) => turn(m, results));
  const reply = replyOf(run);
  if (reply) {
    const usage = run.usage || {};
    const ttft = firstToken(run);
    const facts = [
      reply.finish && `finish: ${reply.finish}`,
      usage.total_tokens != null && `${usage.input_tokens ?? "?"} in · ${usage.output_tokens ?? "?"} out tokens`,
      ttft != null && `first token after ${seconds(ttft)}`,
    ].filter(Boolean);
    turns.push(turn(reply.message, results, el("div", { class: "reply-facts dim", text: facts.join(" · ") })));
  }
  return el("div", { class: "conversation", id: "conversation" }, ...turns);
}
