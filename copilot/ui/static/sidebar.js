// The WeCom chat-toolbar page: suggestions from POST /v1/replies, one tap to insert, the agent's
// decision recorded through POST /v1/feedback. Server text only ever goes in as textContent.
"use strict";

const TEXTS = {
  zh: {
    page_title: "话术助手",
    title: "私域 Copilot 话术助手",
    key_label: "API 密钥",
    key_note: "服务要求密钥:填一次,保存在本设备的浏览器中。",
    key_save: "保存密钥",
    key_needed: "请先填写 API 密钥。",
    key_rejected: "密钥无效或已吊销,请重新填写。",
    queue_label: "微信客服待处理消息",
    queue_pick: "选择一条消息…",
    queue_empty: "暂无待处理消息",
    refresh: "刷新",
    message_label: "客户的最新消息",
    suggest: "生成建议回复",
    working: "正在生成建议…",
    ready: "已生成 {n} 条建议。",
    none: "没有可用的建议,请人工回复。",
    failed: "请求失败:",
    network: "无法连接服务,请稍后再试。",
    verdict_pass: "通过",
    verdict_warn: "需留意",
    verdict_block: "已拦截",
    blocked_note: "已拦截:不能直接发送,请按建议修改或人工回复。",
    needs_human: "建议人工确认后再发送。",
    fix: "修改建议:",
    sources: "来源",
    no_sources: "无引用来源",
    insert: "插入",
    reject: "不采纳",
    reason_label: "不采纳的原因",
    reason_confirm: "确认不采纳",
    reason_needed: "请写明原因。",
    inserted: "已插入聊天,已记录为采纳。",
    inserted_edited: "已插入聊天,已记录为编辑后发送。",
    copied: "已复制,请粘贴到聊天中;已记录为采纳。",
    copied_edited: "已复制,请粘贴到聊天中;已记录为编辑后发送。",
    copy_failed: "无法自动插入或复制,请手动复制文本。",
    chat_unavailable: "无法直接插入聊天,插入将改为复制:",
    rejected: "已记录为不采纳。",
    record_failed: "已插入,但记录反馈失败:",
    send: "发送给客户",
    sent: "已通过微信客服发送给客户。",
  },
  en: {
    page_title: "Reply assistant",
    title: "Siyu Copilot reply assistant",
    key_label: "API key",
    key_note: "The server requires a key: enter it once; it is kept in this device's browser.",
    key_save: "Save key",
    key_needed: "Enter an API key first.",
    key_rejected: "The key is invalid or revoked; enter it again.",
    queue_label: "WeChat Customer Service messages waiting",
    queue_pick: "Pick a message…",
    queue_empty: "No messages waiting",
    refresh: "Refresh",
    message_label: "The customer's last message",
    suggest: "Suggest replies",
    working: "Drafting suggestions…",
    ready: "{n} suggestions.",
    none: "No usable suggestion; please answer in person.",
    failed: "Request failed: ",
    network: "Cannot reach the server; try again later.",
    verdict_pass: "pass",
    verdict_warn: "check",
    verdict_block: "blocked",
    blocked_note: "Blocked: not to be sent as is; fix it as suggested or answer in person.",
    needs_human: "A person should confirm this before it is sent.",
    fix: "Fix: ",
    sources: "Sources",
    no_sources: "No sources cited",
    insert: "Insert",
    reject: "Reject",
    reason_label: "Why it is rejected",
    reason_confirm: "Confirm rejection",
    reason_needed: "Please give a reason.",
    inserted: "Inserted into the chat; recorded as accepted.",
    inserted_edited: "Inserted into the chat; recorded as edited.",
    copied: "Copied: paste it into the chat; recorded as accepted.",
    copied_edited: "Copied: paste it into the chat; recorded as edited.",
    copy_failed: "Could not insert or copy; copy the text by hand.",
    chat_unavailable: "Cannot insert into the chat directly, Insert copies instead: ",
    rejected: "Recorded as rejected.",
    record_failed: "Inserted, but recording the feedback failed: ",
    send: "Send to the customer",
    sent: "Sent to the customer through WeChat Customer Service.",
  },
};

const LANG = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "zh";
const KEY_STORE = "siyu.sidebar.key";

function t(name, values) {
  let text = TEXTS[LANG][name];
  for (const [k, v] of Object.entries(values || {})) text = text.replace(`{${k}}`, String(v));
  return text;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) node.append(child);
  return node;
}

const $ = (id) => document.getElementById(id);

function say(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

class NeedKey extends Error {}

async function api(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": LANG };
  const key = localStorage.getItem(KEY_STORE);
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (_) {
    throw new Error(t("network"));
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) return data;
  if (response.status === 401) {
    if (key && data.code === "invalid_key") localStorage.removeItem(KEY_STORE);
    askForKey(key ? t("key_rejected") : t("key_needed"));
    throw new NeedKey(data.code || "");
  }
  const error = new Error(data.detail || data.title || String(response.status));
  error.code = data.code || "";
  throw error;
}

function askForKey(note) {
  $("key-form").hidden = false;
  $("key").focus();
  say(note, "error");
}

function report(error) {
  if (!(error instanceof NeedKey)) say(t("failed") + error.message, "error");
}

// The queue of 微信客服 messages (only when the connector is configured).

async function loadQueue() {
  let page;
  try {
    page = await api("GET", "/v1/queue?limit=50");
  } catch (error) {
    $("queue-panel").hidden = true;
    if (error.code !== "wecom_not_configured") report(error);
    return;
  }
  const select = $("queue");
  select.replaceChildren(el("option", { value: "", textContent: t(page.items.length ? "queue_pick" : "queue_empty") }));
  for (const item of page.items) {
    select.append(el("option", { value: String(item.id), textContent: `#${item.id} ${item.message}` }));
  }
  select.queueItems = new Map(page.items.map((item) => [String(item.id), item]));
  $("queue-panel").hidden = false;
}

// A message picked from the queue is answered through 微信客服 (POST /v1/queue/{id}/approve),
// with the suggestions drafted when it arrived; a pasted message is answered in the open chat.
let picked = null;

function pickFromQueue() {
  picked = $("queue").queueItems?.get($("queue").value) || null;
  if (!picked) return;
  $("message").value = picked.message;
  if (!picked.suggestions.length) {
    suggest();
    return;
  }
  const cards = picked.suggestions.map((s) => card(fromQueue(s), s.draft_id, picked, true));
  $("suggestions").replaceChildren(...cards);
  say(t("ready", { n: cards.length }));
}

function fromQueue(suggestion) {
  return {
    text: suggestion.text,
    needs_human: suggestion.needs_human,
    verdict: { verdict: suggestion.verdict, findings: [] },
    citations: suggestion.sources.map((source) => ({ id: "", source, quote: "" })),
  };
}

// Suggestions.

async function suggest() {
  const message = $("message").value.trim();
  if (!message) return;
  $("suggestions").replaceChildren();
  $("suggest").disabled = true;
  say(t("working"), "busy");
  try {
    const result = await api("POST", "/v1/replies", { message });
    const cards = result.drafts.map((draft, i) => card(draft, result.draft_ids[i], picked, false));
    $("suggestions").replaceChildren(...cards);
    say(cards.length ? t("ready", { n: cards.length }) : t("none"));
  } catch (error) {
    report(error);
  } finally {
    $("suggest").disabled = false;
  }
}

function card(draft, draftId, item, own) {
  const verdict = draft.verdict.verdict;
  const blocked = verdict === "block";
  const box = el("li", { className: `card verdict-${verdict}` });
  box.dataset.draftId = draftId;
  box.append(el("span", { className: "badge", textContent: t(`verdict_${verdict}`) }));
  if (blocked) box.append(el("p", { className: "blocked-note", textContent: t("blocked_note") }));
  else if (draft.needs_human) box.append(el("p", { className: "note", textContent: t("needs_human") }));
  if (draft.verdict.findings.length) {
    const findings = el("ul", { className: "findings" });
    for (const finding of draft.verdict.findings) {
      const line = el("li", {}, el("span", { textContent: finding.message }));
      if (finding.fix) line.append(el("span", { className: "fix", textContent: t("fix") + finding.fix }));
      findings.append(line);
    }
    box.append(findings);
  }
  const text = el("textarea", { className: "draft-text", value: draft.text, rows: 4 });
  text.setAttribute("aria-label", t("insert"));
  box.append(text, sources(draft.citations));

  const status = el("p", { className: "card-status", role: "status" });
  const insert = el("button", { type: "button", className: "insert", textContent: t(item ? "send" : "insert"), disabled: blocked });
  const reject = el("button", { type: "button", className: "reject", textContent: t("reject") });
  const reason = el("input", { type: "text", className: "reason", maxLength: 500, placeholder: t("reason_label") });
  reason.setAttribute("aria-label", t("reason_label"));
  const confirm = el("button", { type: "button", className: "confirm-reject", textContent: t("reason_confirm") });
  const rejecting = el("div", { className: "rejecting", hidden: true }, reason, confirm);
  const done = () => { insert.disabled = reject.disabled = confirm.disabled = true; };

  insert.addEventListener("click", async () => {
    const chosen = text.value.trim();
    const edited = chosen !== draft.text.trim();
    const body = edited ? { draft_id: draftId, action: "edited", text: chosen } : { draft_id: draftId, action: "accepted" };
    if (item) {
      send(item, chosen, own ? draftId : null, own ? null : body, status, done);
      return;
    }
    const how = await deliver(chosen);
    if (!how) { status.textContent = t("copy_failed"); return; }
    done();
    try {
      await api("POST", "/v1/feedback", body);
      status.textContent = t(edited ? `${how}_edited` : how);
    } catch (error) {
      status.textContent = t("record_failed") + error.message;
    }
  });
  reject.addEventListener("click", () => { rejecting.hidden = false; reason.focus(); });
  confirm.addEventListener("click", async () => {
    const why = reason.value.trim();
    if (!why) { status.textContent = t("reason_needed"); return; }
    try {
      await api("POST", "/v1/feedback", { draft_id: draftId, action: "rejected", reason: why });
      done();
      box.classList.add("rejected");
      status.textContent = t("rejected");
    } catch (error) {
      status.textContent = t("failed") + error.message;
    }
  });
  box.append(el("div", { className: "actions" }, insert, reject), rejecting, status);
  return box;
}

// Approve a queue item with `text`: the connector sends it once and records the decision on its
// own suggestion `draftId`; a fresh draft's decision (`feedback`) is recorded here.
async function send(item, text, draftId, feedback, status, done) {
  try {
    await api("POST", `/v1/queue/${item.id}/approve`, draftId ? { text, draft_id: draftId } : { text });
  } catch (error) {
    status.textContent = t("failed") + error.message;
    return;
  }
  done();
  status.textContent = t("sent");
  if (feedback) await api("POST", "/v1/feedback", feedback).catch((error) => {
    status.textContent = t("record_failed") + error.message;
  });
  picked = null;
  loadQueue();
}

function sources(citations) {
  const box = el("details", { className: "sources" });
  box.append(el("summary", { textContent: `${t("sources")} (${citations.length})` }));
  if (!citations.length) box.append(el("p", { className: "note", textContent: t("no_sources") }));
  const list = el("ul");
  for (const c of citations) {
    const line = el("li", {}, el("b", { textContent: c.id ? `[${c.id}] ${c.source}` : c.source }));
    if (c.quote) line.append(el("q", { textContent: c.quote }));
    list.append(line);
  }
  box.append(list);
  return box;
}

// Inside WeCom (its client says "wxwork" in the user agent) the page asks the server for a signed
// wx.agentConfig, loads WeCom's JS-SDK and configures it; 插入 then puts the text into the chat's
// input box. Outside WeCom, without the sidebar app configured, or when WeCom refuses, it copies.
let chat = null; // a promise of whether sendChatMessage may be used

function connectChat() {
  if (chat || !/wxwork/i.test(navigator.userAgent)) return;
  chat = configureChat().catch((error) => {
    if (error instanceof NeedKey) chat = null; // asked again once a key is saved
    else if (error.code !== "wecom_agent_not_configured") say(t("chat_unavailable") + error.message, "error");
    return false;
  });
}

async function configureChat() {
  const page = location.href.split("#")[0];
  const { sdk, ...signed } = await api("GET", `/v1/wecom/agent-config?url=${encodeURIComponent(page)}`);
  for (const src of sdk) await loadScript(src);
  if (!window.wx || typeof window.wx.agentConfig !== "function") throw new Error("wx.agentConfig");
  return new Promise((resolve, reject) => {
    window.wx.agentConfig({
      ...signed,
      success: () => resolve(true),
      fail: (res) => reject(new Error((res && res.errMsg) || "agentConfig")),
    });
  });
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = el("script", { src, async: false });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(src)));
    document.head.append(script);
  });
}

async function deliver(text) {
  if (chat && (await chat)) {
    const inserted = await new Promise((resolve) => {
      window.wx.invoke("sendChatMessage", { msgtype: "text", enterChat: true, text: { content: text } }, (res) => {
        resolve(!res || !res.err_msg || res.err_msg.endsWith(":ok"));
      });
    });
    if (inserted) return "inserted";
  }
  return copy(text);
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return "copied";
  } catch (_) {
    const area = el("textarea", { value: text });
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok ? "copied" : "";
  }
}

function start() {
  document.documentElement.lang = LANG === "en" ? "en" : "zh-CN";
  document.title = t("page_title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  $("ask").addEventListener("submit", (event) => { event.preventDefault(); suggest(); });
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("key").value.trim();
    if (!key) return;
    localStorage.setItem(KEY_STORE, key);
    $("key").value = "";
    $("key-form").hidden = true;
    say("");
    loadQueue();
    connectChat();
  });
  $("queue").addEventListener("change", pickFromQueue);
  $("message").addEventListener("input", () => { picked = null; $("queue").value = ""; });
  $("queue-refresh").addEventListener("click", loadQueue);
  loadQueue();
  connectChat();
}

document.addEventListener("DOMContentLoaded", start);
