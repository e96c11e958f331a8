// The logicsvc playground: plain JavaScript, no build step, no CDN.
// It calls the service's own API (/v1/reason, /v1/prove) and draws the answer.
"use strict";

const EXAMPLES = {
  syllogism: {
    title: "A syllogism (English)", mode: "english",
    premises: ["All men are mortal.", "Socrates is a man."],
    conclusion: "Socrates is mortal.",
  },
  fallacy: {
    title: "Affirming the consequent (unknown)", mode: "english",
    premises: ["If Bob is rich then Bob is happy.", "Bob is happy."],
    conclusion: "Bob is rich.",
  },
  rulebase: {
    title: "A rule base (English)", mode: "english",
    premises: [
      "The cat is big.", "The dog is kind.", "If something is big then it is strong.",
      "If something is strong and kind then it is nice.", "All big things are kind.",
    ],
    conclusion: "The cat is nice.",
  },
  story: {
    title: "A FOLIO-style story (DSL program)", mode: "program",
    program: [
      "Premises:",
      "∀x (Musician(x) → Creative(x)) ::: All musicians are creative.",
      "∀x (Creative(x) → ¬Bored(x)) ::: Nobody creative is bored.",
      "Musician(ada) ⊕ Painter(ada) ::: Ada is either a musician or a painter.",
      "¬Painter(ada) ::: Ada is not a painter.",
      "Conclusion:",
      "¬Bored(ada) ::: Ada is not bored.",
    ].join("\n"),
  },
  formulas: {
    title: "Formulas (DSL)", mode: "formulas",
    premises: ["∀x (Man(x) → Mortal(x))", "Man(socrates)"],
    conclusion: "Mortal(socrates)",
  },
  // A puzzle with options waits for the options request (the typed language, issue 12).
};

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function mode() { return document.querySelector("input[name=mode]:checked").value; }

function setMode(value) {
  document.querySelector(`input[name=mode][value=${value}]`).checked = true;
  const program = value === "program";
  $("conclusion-label").hidden = program;
  $("premises-label").firstChild.textContent = program ? "Program " : "Premises ";
  $("premises-label").querySelector("small").textContent =
    program ? "(Premises: … Conclusion: …)" : "(one per line)";
  $("translator").disabled = value !== "english";
}

function loadExample(name) {
  const ex = EXAMPLES[name];
  if (!ex) return;
  setMode(ex.mode);
  $("premises").value = ex.program || ex.premises.join("\n");
  $("conclusion").value = ex.conclusion || "";
}

// --- the request ---------------------------------------------------------------------

function request() {
  const lines = $("premises").value.split("\n").map((s) => s.trim()).filter(Boolean);
  const common = { world: $("world").value, prover: $("prover").value };
  if (mode() === "english") {
    return ["/v1/reason", {
      premises: lines, conclusion: $("conclusion").value.trim(),
      translator: $("translator").value, ...common,
    }];
  }
  if (mode() === "formulas") {
    return ["/v1/prove", { premises: lines, conclusion: $("conclusion").value.trim(), ...common }];
  }
  return ["/v1/prove", { program: $("premises").value, ...common }];
}

async function submit(event) {
  event.preventDefault();
  const [path, body] = request();
  const headers = { "Content-Type": "application/json" };
  const key = $("apikey").value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  localStorage.setItem("logicsvc-key", key);
  $("submit").disabled = true;
  $("answer").setAttribute("aria-busy", "true");
  try {
    const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    const payload = await response.json();
    show(payload, body);
  } catch (exc) {
    show({ error: { code: "network", message: String(exc) } }, body);
  } finally {
    $("submit").disabled = false;
    $("answer").removeAttribute("aria-busy");
  }
}

// --- the answer ----------------------------------------------------------------------

const MEANING = {
  true: "the premises entail the conclusion",
  false: "the premises entail the negation of the conclusion",
  unknown: "neither the conclusion nor its negation follows",
  contradictory_premises: "the premises contradict each other",
  timeout: "the prover gave up within its limits",
  error: "no verdict",
};

function clear(id) { const n = $(id); n.replaceChildren(); return n; }

function show(payload, sent) {
  $("answer").hidden = false;
  for (const id of ["program", "program-conclusion", "graph", "countermodel", "attempts",
    "warnings", "verdict"]) clear(id);
  $("attempts-pane").hidden = true;
  $("error").hidden = true;
  if (payload.error && !payload.status) {
    $("verdict").className = "verdict error";
    $("verdict").textContent = `error: ${payload.error.code}`;
    showError(payload.error);
    return;
  }
  const word = payload.verdict || payload.status;
  $("verdict").className = `verdict ${word}`;
  $("verdict").append(el("strong", {}, word), ` — ${MEANING[word] || ""}`,
    el("small", {}, ` ${payload.backend || ""}, ${payload.elapsed_ms} ms`));
  if (payload.error) showError(payload.error);
  const program = programOf(payload, sent);
  showProgram(program, payload.used_premises || []);
  if (payload.proof) {
    $("explanation-title").textContent = "Proof";
    drawProof(payload.proof, program.premises);
  } else if (payload.countermodel) {
    $("explanation-title").textContent = "Countermodel: the premises hold, the conclusion does not";
    showCountermodel(payload.countermodel);
  } else {
    $("explanation-title").textContent = (payload.used_premises || []).length
      ? "Premises used (highlighted)" : "";
  }
  if (payload.attempts && payload.attempts.length) showAttempts(payload.attempts);
  for (const w of payload.warnings || []) $("warnings").append(el("li", {}, w));
}

function showError(error) {
  $("error").hidden = false;
  $("error-message").textContent = error.message || error.code;
  $("error-context").textContent = error.context || "";
  $("error-context").hidden = !error.context;
}

// Sentences as the server splits them: a sentence ends at . ! or ? before white space.
function sentences(text) {
  return (text.match(/\S[\s\S]*?(?:[.!?](?=\s|$)|$)/g) || [])
    .map((s) => s.split(/\s+/).join(" "));
}

function programOf(payload, sent) {
  let text = payload.program;
  if (!text && sent.program) text = sent.program;
  const premises = [];
  let conclusion = null;
  if (text) {
    let section = null;
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      if (/^premises:$/i.test(line)) { section = "p"; continue; }
      if (/^conclusions?:$/i.test(line)) { section = "c"; continue; }
      const [formula, gloss] = line.split(":::").map((s) => s.trim());
      if (section === "p") premises.push({ formula, gloss });
      else if (section === "c") conclusion = { formula, gloss };
    }
  } else if (sent.premises) {
    sent.premises.forEach((f) => premises.push({ formula: f }));
    conclusion = { formula: sent.conclusion };
  }
  // number premises by what was sent: element k of the premises, sentence j within it
  const refs = [];
  if (payload.translator === "rules" && sent.premises) {
    sent.premises.forEach((t, k) => sentences(t).forEach((s, j, all) =>
      refs.push(all.length > 1 ? `${k + 1}.${j + 1}` : `${k + 1}`)));
  }
  premises.forEach((p, i) => { p.label = refs.length === premises.length ? refs[i] : `${i + 1}`; });
  return { premises, conclusion };
}

function showProgram(program, used) {
  program.premises.forEach((p, i) => {
    const item = el("li", { id: `premise-${i}`, value: String(i + 1) },
      el("span", { class: "num" }, p.label), el("code", {}, p.formula));
    if (p.gloss) item.append(el("span", { class: "gloss" }, p.gloss));
    if (used.includes(i)) item.classList.add("used");
    $("program").append(item);
  });
  if (program.conclusion) {
    const c = program.conclusion;
    $("program-conclusion").append(el("span", { class: "num" }, "∴"), el("code", {}, c.formula));
    if (c.gloss) $("program-conclusion").append(el("span", { class: "gloss" }, c.gloss));
  }
}

// --- the proof graph: a layered drawing of the node-link tree ------------------------

function drawProof(proof, premises) {
  const nodes = new Map(proof.nodes.map((n) => [n.id, n]));
  const children = new Map();
  for (const e of proof.edges) {
    if (!children.has(e.source)) children.set(e.source, []);
    children.get(e.source).push(e.target);
  }
  const depth = new Map([[proof.root, 0]]);
  const order = [proof.root];
  for (let i = 0; i < order.length; i++) {  // breadth first: shared subproofs drawn once
    for (const c of children.get(order[i]) || []) {
      if (!depth.has(c)) { depth.set(c, depth.get(order[i]) + 1); order.push(c); }
    }
  }
  const W = 7.4, H = 46, GAP = 18, ROW = 84;
  const width = (n) => Math.max(n.label.length, premiseText(n, premises).length) * W + 24;
  const x = new Map();
  const rowEnd = new Map();  // the right edge of the last node placed on each row
  let cursor = 0;
  const put = (id, centre) => {
    const w = width(nodes.get(id)), d = depth.get(id);
    const c = Math.max(centre, (rowEnd.has(d) ? rowEnd.get(d) + GAP : 0) + w / 2);
    x.set(id, c);
    rowEnd.set(d, c + w / 2);
    cursor = Math.max(cursor, c + w / 2 + GAP);
  };
  const place = (id, seen) => {  // leaves left to right, a parent over its children
    const kids = (children.get(id) || []).filter((c) => depth.get(c) === depth.get(id) + 1
      && !seen.has(c));
    kids.forEach((c) => seen.add(c));
    if (!kids.length) {
      put(id, cursor + width(nodes.get(id)) / 2);
      return;
    }
    kids.forEach((c) => place(c, seen));
    put(id, (x.get(kids[0]) + x.get(kids[kids.length - 1])) / 2);
  };
  place(proof.root, new Set([proof.root]));
  const rows = Math.max(...depth.values()) + 1;
  const svg = el("svg:svg", {
    width: String(Math.max(cursor, 200)), height: String(rows * ROW),
    viewBox: `0 0 ${Math.max(cursor, 200)} ${rows * ROW}`, role: "img",
    "aria-label": "proof graph",
  });
  for (const e of proof.edges) {
    if (!x.has(e.source) || !x.has(e.target)) continue;
    svg.append(el("svg:line", {
      class: "edge", x1: x.get(e.source), y1: depth.get(e.source) * ROW + H + 8,
      x2: x.get(e.target), y2: depth.get(e.target) * ROW + 8,
    }));
  }
  for (const id of order) {
    const n = nodes.get(id), w = width(n), cx = x.get(id), top = depth.get(id) * ROW + 8;
    const g = el("svg:g", { class: `node ${n.kind}`, "data-id": id });
    const sub = premiseText(n, premises);
    const p = n.premise !== null && n.premise !== undefined ? premises[n.premise] : null;
    g.append(el("svg:title", {}, p ? `${p.formula}${p.gloss ? `\n“${p.gloss}”` : ""}` : n.kind));
    g.append(el("svg:rect", { x: cx - w / 2, y: top, width: w, height: H, rx: 6 }));
    g.append(el("svg:text", { x: cx, y: top + 19, class: "label" }, n.label));
    g.append(el("svg:text", { x: cx, y: top + 36, class: "sub" }, sub));
    if (p) {
      const item = $(`premise-${n.premise}`);
      g.addEventListener("mouseenter", () => item && item.classList.add("focus"));
      g.addEventListener("mouseleave", () => item && item.classList.remove("focus"));
    }
    svg.append(g);
  }
  $("graph").append(svg);
}

function premiseText(n, premises) {
  if (n.premise === null || n.premise === undefined) {
    return { hypothesis: "assumed", contradiction: "contradiction", naf: "not provable" }[n.kind]
      || "";
  }
  const p = premises[n.premise];
  const how = n.kind === "fact" ? "stated in" : "by";
  const gloss = p && p.gloss ? p.gloss : "";
  const short = gloss.length > 36 ? `${gloss.slice(0, 35)}…` : gloss;
  return `${how} premise ${p ? p.label : n.premise + 1}${short ? `: ${short}` : ""}`;
}

// --- the countermodel table ----------------------------------------------------------

function showCountermodel(model) {
  const values = new Map();
  const parse = (fact, value) => {
    const m = fact.match(/^(¬?)([^(]+)(?:\((.*)\))?$/);
    if (!m) return;
    const args = m[3] ? m[3].split(",").map((s) => s.trim()) : [];
    values.set(JSON.stringify([m[2], args]), value ?? (m[1] ? "false" : "true"));
  };
  model.facts.forEach((f) => parse(f));
  (model.undetermined || []).forEach((f) => parse(f, "?"));
  const entries = [...values.entries()].map(([k, v]) => [...JSON.parse(k), v]);
  const unary = [...new Set(entries.filter(([, a]) => a.length === 1).map(([p]) => p))].sort();
  const mark = { true: "✓", false: "✗", "?": "?" };
  const box = $("countermodel");
  if (unary.length && model.domain.length) {
    const table = el("table", { class: "model" });
    table.append(el("tr", {}, el("th", {}, ""), ...unary.map((p) => el("th", {}, p))));
    for (const d of model.domain) {
      const row = el("tr", {}, el("th", {}, d));
      for (const p of unary) {
        const v = values.get(JSON.stringify([p, [d]]));
        row.append(el("td", { class: `v-${v}` }, mark[v] || ""));
      }
      table.append(row);
    }
    box.append(table);
  }
  const rest = entries.filter(([, a]) => a.length !== 1);
  if (rest.length) {
    const list = el("ul", { class: "atoms" });
    rest.forEach(([p, a, v]) =>
      list.append(el("li", { class: `v-${v}` }, `${p}${a.length ? `(${a.join(", ")})` : ""}: ${v}`)));
    box.append(list);
  }
  for (const eq of model.equalities || []) box.append(el("p", {}, eq));
  if (model.truncated) box.append(el("p", { class: "note" }, "(truncated)"));
}

function showAttempts(attempts) {
  $("attempts-pane").hidden = false;
  const table = $("attempts");
  table.append(el("tr", {}, ...["sample", "round", "result", "error"].map((h) => el("th", {}, h))));
  for (const a of attempts) {
    const error = a.error ? `${a.error.code}: ${a.error.message}` : "";
    table.append(el("tr", {}, el("td", {}, String(a.sample + 1)), el("td", {}, String(a.round + 1)),
      el("td", {}, a.verdict || a.status || "failed"), el("td", {}, error)));
  }
}

// --- start ---------------------------------------------------------------------------

for (const [name, ex] of Object.entries(EXAMPLES)) {
  $("example").append(el("option", { value: name }, ex.title));
}
$("example").addEventListener("change", (e) => loadExample(e.target.value));
for (const radio of document.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", () => setMode(mode()));
}
$("problem").addEventListener("submit", submit);
$("apikey").value = localStorage.getItem("logicsvc-key") || "";
loadExample("syllogism");
$("example").value = "syllogism";
