/* The kafkalite console: a page built only on the JSON API under /api/v1/.
 * Views by the URL's hash (#/, #/topics, #/topics/NAME, #/groups,
 * #/groups/NAME), refreshed every few seconds. Changes are form POSTs
 * carrying the session's token, each confirmed first. Every value from the
 * broker goes into the page as text (textContent), never as markup. */
"use strict";

const API = "/api/v1/";
const REFRESH_MS = 3000;
const LAG_POINTS = 60;
let session = { token: "", read_only: true };
let timer = null;
const lagHistory = new Map(); /* group -> [total lag, ...] */

/* ---- building the page ---- */

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(headers, rows, numeric) {
  const num = new Set(numeric || []);
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { class: num.has(i) ? "num" : "" }, h)))),
    el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, r.map((c, i) =>
      c instanceof Node && c.tagName === "TD" ? c : el("td", { class: num.has(i) ? "num" : "" }, c))))
      : el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "none"))));
}

function card(label, value) {
  return el("div", { class: "card" }, el("div", { class: "n" }, value), el("div", { class: "l" }, label));
}

function bytes(n) {
  if (n === undefined || n === null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${Math.floor(s) % 60}s`;
}

function lagCell(lag) {
  if (lag === undefined) return el("td", { class: "num muted" }, "–");
  return el("td", { class: "num " + (lag > 0 ? "lag-pos" : "lag-0") }, lag);
}

function notice(text, ok) {
  const n = document.getElementById("notice");
  n.textContent = text;
  n.className = ok ? "ok" : "error";
  n.hidden = false;
}

/* ---- the API ---- */

async function get(path) {
  const r = await fetch(API + path, { credentials: "same-origin", cache: "no-store" });
  const body = await r.json().catch(() => ({ error: `answer ${r.status} is not JSON` }));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

/* POSTs a change after the user confirmed it; reports and re-renders. */
async function change(path, fields, question) {
  if (question && !window.confirm(question)) return null;
  const form = new URLSearchParams();
  for (const [k, v] of fields) form.append(k, v);
  try {
    const r = await fetch(API + path, {
      method: "POST", credentials: "same-origin", body: form,
      headers: { "X-Kafkalite-Token": session.token },
    });
    const body = await r.json().catch(() => ({ error: `answer ${r.status} is not JSON` }));
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    notice("Done: " + JSON.stringify(body), true);
    return body;
  } catch (e) {
    notice(e.message, false);
    return null;
  } finally {
    render();
  }
}

function changeForm(title, fields, submit, danger) {
  const f = el("form", { "data-form": title }, fields, el("button", { type: "submit", class: danger ? "danger" : "",
    disabled: session.read_only }, title));
  f.addEventListener("submit", (ev) => { ev.preventDefault(); submit(new FormData(f)); });
  return f;
}

/* ---- views ---- */

async function overview() {
  const [cluster, topics, groups] = await Promise.all([get("cluster"), get("topics"), get("groups")]);
  const partitions = topics.topics.reduce((n, t) => n + t.partition_count, 0);
  const lag = groups.groups.reduce((n, g) => n + g.total_lag, 0);
  return [
    el("h1", {}, "Overview"),
    el("div", { class: "cards" }, card("broker id", cluster.broker_id), card("version", cluster.version),
      card("uptime", duration(cluster.uptime_seconds)), card("topics", topics.topics.length),
      card("partitions", partitions), card("consumer groups", groups.groups.length), card("total lag", lag)),
    el("section", {}, el("h2", {}, "Broker"), table(["cluster id", "listeners", "console"],
      [[cluster.cluster_id, cluster.listeners, cluster.console]])),
    el("section", {}, el("h2", {}, "Log directories"), table(["path", "online", "partitions", "used", "free"],
      cluster.log_dirs.map((d) => [d.path, d.online ? "yes" : "OFFLINE", d.partitions,
        bytes(d.total_bytes - d.free_bytes), bytes(d.free_bytes)]), [2, 3, 4])),
  ];
}

function messagesIn(t) {
  return t.partitions.reduce((n, p) => n + (p.online ? p.high_watermark - p.log_start_offset : 0), 0);
}

async function topicsView() {
  const { topics } = await get("topics");
  const create = changeForm("Create topic", [
    el("label", {}, "name", el("input", { name: "name", required: true, pattern: "[a-zA-Z0-9._-]+" })),
    el("label", {}, "partitions", el("input", { name: "partitions", type: "number", min: 1, value: 1 })),
    el("label", {}, "configs (name=value per line)", el("textarea", { name: "configs", rows: 1 })),
  ], (fd) => {
    const fields = [["name", fd.get("name")], ["partitions", fd.get("partitions")]];
    for (const line of String(fd.get("configs")).split("\n").map((s) => s.trim()).filter(Boolean)) {
      const eq = line.indexOf("=");
      fields.push(["config." + line.slice(0, eq < 0 ? line.length : eq), eq < 0 ? "" : line.slice(eq + 1)]);
    }
    change("topics", fields, `Create topic ${fd.get("name")} with ${fd.get("partitions")} partition(s)?`);
  });
  return [
    el("h1", {}, "Topics"),
    el("section", {}, table(["topic", "partitions", "messages", "size"], topics.map((t) => [
      el("a", { href: "#/topics/" + encodeURIComponent(t.name) }, t.name), t.partition_count, messagesIn(t),
      bytes(t.partitions.reduce((n, p) => n + (p.size_bytes || 0), 0))]), [1, 2, 3])),
    el("section", {}, el("h2", {}, "New topic"), create),
  ];
}

function recordValue(v, enc) {
  if (v === null) return el("span", { class: "null" }, "null");
  return el("span", { class: enc === "hex" ? "hex" : "" }, enc === "hex" ? "0x" + v : v);
}

function browser(t) {
  const out = el("div", {});
  const form = el("form", {},
    el("label", {}, "partition", el("select", { name: "partition" },
      t.partitions.map((p) => el("option", { value: p.partition }, p.partition)))),
    el("label", {}, "from", el("select", { name: "from" }, el("option", { value: "offset" }, "offset"),
      el("option", { value: "timestamp" }, "time"))),
    el("label", {}, "offset or time", el("input", { name: "at", placeholder: "start, 42 or 2026-12-07T08:00" })),
    el("label", {}, "count", el("input", { name: "count", type: "number", min: 1, max: 1000, value: 20 })),
    el("label", {}, "show as", el("select", { name: "format" }, el("option", { value: "text" }, "text"),
      el("option", { value: "hex" }, "hex"))),
    el("button", { type: "submit" }, "Show messages"));
  const show = async (offset) => {
    const fd = new FormData(form);
    const q = new URLSearchParams({ count: fd.get("count"), format: fd.get("format") });
    const at = String(fd.get("at")).trim();
    if (offset !== undefined) q.set("offset", offset);
    else if (at && fd.get("from") === "timestamp") q.set("timestamp", String(new Date(at).getTime()));
    else if (at) q.set("offset", at);
    try {
      const m = await get(`topics/${encodeURIComponent(t.name)}/partitions/${fd.get("partition")}/messages?${q}`);
      const more = m.next_offset < m.high_watermark;
      out.replaceChildren(
        el("p", { class: "muted" }, `offsets ${m.log_start_offset} to ${m.high_watermark}`),
        table(["offset", "timestamp", "key", "value", "headers"], m.messages.map((r) => [r.offset,
          new Date(r.timestamp).toISOString(), el("td", { class: "data" }, recordValue(r.key, r.key_encoding)),
          el("td", { class: "data" }, recordValue(r.value, r.value_encoding)),
          el("td", { class: "data" }, r.headers.map((h) => el("div", {}, h.key, "=",
            recordValue(h.value, h.value_encoding))))]), [0]),
        more ? el("button", { class: "secondary", onclick: () => show(m.next_offset) }, "Next messages") : null);
    } catch (e) {
      out.replaceChildren(el("p", { class: "lag-pos" }, e.message));
    }
  };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); show(); });
  show();
  return el("section", { "data-keep": "browser" }, el("h2", {}, "Messages"), form, out);
}

async function topicView(name) {
  const enc = encodeURIComponent(name);
  const [t, configs] = await Promise.all([get("topics/" + enc), get(`topics/${enc}/configs`)]);
  const alter = changeForm("Set config", [
    el("label", {}, "config", el("input", { name: "name", required: true, list: "config-names" })),
    el("label", {}, "value", el("input", { name: "value", required: true })),
  ], (fd) => change(`topics/${enc}/configs`, [["set." + fd.get("name"), fd.get("value")]],
    `Set ${fd.get("name")}=${fd.get("value")} on topic ${name}?`));
  const grow = changeForm("Add partitions", [
    el("label", {}, "new partition count", el("input", { name: "count", type: "number",
      min: t.partition_count + 1, value: t.partition_count + 1 })),
  ], (fd) => change(`topics/${enc}/partitions`, [["count", fd.get("count")]],
    `Grow topic ${name} from ${t.partition_count} to ${fd.get("count")} partitions? This cannot be undone.`));
  const remove = changeForm("Delete topic", [], () => {
    if (window.prompt(`Delete topic ${name} and all its messages? Type its name to confirm.`) !== name) return;
    change(`topics/${enc}/delete`, [], null).then((r) => { if (r) location.hash = "#/topics"; });
  }, true);
  return [
    el("h1", {}, "Topic ", t.name),
    el("section", {}, el("h2", {}, "Partitions"), table(
      ["partition", "leader", "replicas", "isr", "log start", "log end", "messages", "size"],
      t.partitions.map((p) => [p.partition, p.leader, p.replicas.join(","), p.isr.join(","),
        p.online ? p.log_start_offset : "offline", p.online ? p.high_watermark : "",
        p.online ? p.high_watermark - p.log_start_offset : "", bytes(p.size_bytes)]), [0, 4, 5, 6, 7])),
    browser(t),
    el("div", { class: "row" },
      el("section", {}, el("h2", {}, "Configs"), table(["name", "value", "source", ""],
        configs.configs.map((c) => [c.name, c.value === null ? el("span", { class: "null" }, "null") : c.value,
          c.source === "DYNAMIC_TOPIC_CONFIG" ? "this topic" : c.source === "STATIC_BROKER_CONFIG" ? "broker"
            : "default",
          c.source === "DYNAMIC_TOPIC_CONFIG" && !session.read_only ? el("button", { class: "secondary",
            onclick: () => change(`topics/${enc}/configs`, [["delete", c.name]],
              `Reset ${c.name} of topic ${name} to its default?`) }, "Reset") : ""])),
      el("datalist", { id: "config-names" }, configs.configs.map((c) => el("option", { value: c.name })))),
      el("section", {}, el("h2", {}, "Change"), alter, el("p"), grow, el("p"), remove)),
  ];
}

async function groupsView() {
  const { groups } = await get("groups");
  return [
    el("h1", {}, "Consumer groups"),
    el("section", {}, table(["group", "state", "members", "partitions", "total lag"], groups.map((g) => [
      el("a", { href: "#/groups/" + encodeURIComponent(g.group) }, g.group), g.state, g.members.length,
      g.offsets.length, lagCell(g.total_lag)]), [2, 3, 4])),
  ];
}

function lagChart(history) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("viewBox", `0 0 ${LAG_POINTS} 100`);
  svg.setAttribute("preserveAspectRatio", "none");
  const max = Math.max(1, ...history);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("vector-effect", "non-scaling-stroke");
  line.setAttribute("points", history.map((v, i) =>
    `${LAG_POINTS - history.length + i + 1},${95 - (v / max) * 85}`).join(" "));
  svg.append(line);
  return el("div", {}, svg, el("div", { class: "muted" },
    `total lag over the last ${history.length} refreshes (${REFRESH_MS / 1000} s apart), max ${max}`));
}

async function groupView(id) {
  const enc = encodeURIComponent(id);
  const [g, { topics }] = await Promise.all([get("groups/" + enc), get("topics")]);
  const h = lagHistory.get(id) || [];
  h.push(g.total_lag);
  if (h.length > LAG_POINTS) h.shift();
  lagHistory.set(id, h);
  const inactive = g.members.length === 0;
  const reset = changeForm("Reset offsets", [
    el("label", {}, "topic", el("select", { name: "topic" }, topics.map((t) => el("option", {}, t.name)))),
    el("label", {}, "partition", el("input", { name: "partition", type: "number", min: 0, placeholder: "all" })),
    el("label", {}, "to", el("select", { name: "to" }, ["earliest", "latest", "offset", "timestamp"].map((v) =>
      el("option", { value: v }, v)))),
    el("label", {}, "offset or time", el("input", { name: "at", placeholder: "42 or 2026-12-07T08:00" })),
  ], (fd) => {
    const fields = [["topic", fd.get("topic")], ["to", fd.get("to")]];
    if (fd.get("partition") !== "") fields.push(["partition", fd.get("partition")]);
    if (fd.get("to") === "offset") fields.push(["offset", fd.get("at")]);
    if (fd.get("to") === "timestamp") fields.push(["timestamp", String(new Date(fd.get("at")).getTime())]);
    change(`groups/${enc}/reset-offsets`, fields, `Reset the offsets of group ${id} on ${fd.get("topic")} to ` +
      `${fd.get("to")} ${fd.get("at")}?`);
  });
  const remove = changeForm("Delete group", [], () => {
    change(`groups/${enc}/delete`, [], `Delete group ${id} and its committed offsets?`).then((r) => {
      if (r) location.hash = "#/groups";
    });
  }, true);
  return [
    el("h1", {}, "Group ", g.group),
    el("div", { class: "cards" }, card("state", g.state), card("protocol", g.protocol || "–"),
      card("generation", g.generation), card("members", g.members.length), card("total lag", g.total_lag)),
    el("section", {}, el("h2", {}, "Lag"), lagChart(h)),
    el("section", {}, el("h2", {}, "Offsets"), table(["topic", "partition", "committed", "log end", "lag"],
      g.offsets.map((o) => [o.topic, o.partition, o.committed_offset, o.log_end_offset ?? "", lagCell(o.lag)]),
      [1, 2, 3, 4])),
    el("section", {}, el("h2", {}, "Members"), table(["member id", "client id", "host", "instance id"],
      g.members.map((m) => [m.member_id, m.client_id, m.host, m.group_instance_id || ""]))),
    el("section", {}, el("h2", {}, "Change"),
      inactive ? null : el("p", { class: "muted" }, "Offsets can be reset and the group deleted only while it " +
        "has no members."), reset, el("p"), remove),
  ];
}

/* ---- routing ---- */

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "topics" && parts[1]) return ["topics", () => topicView(parts[1])];
  if (parts[0] === "topics") return ["topics", topicsView];
  if (parts[0] === "groups" && parts[1]) return ["groups", () => groupView(parts[1])];
  if (parts[0] === "groups") return ["groups", groupsView];
  return ["overview", overview];
}

/* Redraws the view, keeping what the user is typing or browsing. */
async function render() {
  clearTimeout(timer);
  const [nav, view] = route();
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === nav);
  const main = document.getElementById("view");
  const busy = main.contains(document.activeElement) && document.activeElement.matches("input, select, textarea");
  const key = location.hash;
  if (!busy) {
    try {
      const nodes = await view();
      if (key !== location.hash) return;
      const kept = main.dataset.view === key ? main.querySelector("[data-keep]") : null;
      main.replaceChildren(...nodes);
      const fresh = kept && main.querySelector(`[data-keep="${kept.dataset.keep}"]`);
      if (fresh) fresh.replaceWith(kept);
      main.dataset.view = key;
    } catch (e) {
      main.replaceChildren(el("h1", {}, "Not available"), el("p", { class: "lag-pos" }, e.message));
      main.dataset.view = "";
    }
  }
  timer = setTimeout(render, REFRESH_MS);
}

async function start() {
  try {
    session = await get("session");
    const c = await get("cluster");
    document.getElementById("broker-line").textContent = `broker ${c.broker_id} · ${c.version}`;
  } catch (e) {
    notice("Cannot reach the broker: " + e.message, false);
  }
  document.getElementById("read-only").hidden = !session.read_only;
  window.addEventListener("hashchange", () => { document.getElementById("notice").hidden = true; render(); });
  render();
}

start();
