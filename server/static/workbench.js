/* The query workbench at /sparql: YASGUI (vendored) configured for this server, with result views
   of our own: a table with labels, a map and a bar chart drawn as inline SVG (nothing fetched but
   this server's /sparql), downloads in every format, shareable links, Japanese or English. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("wb-config").textContent);
  const S = JSON.parse(document.getElementById("wb-strings").textContent);
  const root = document.getElementById("yasgui");
  if (!window.Yasgui || !root) return; // the plain form stays
  const Yasr = Yasgui.Yasr;
  const SVGNS = "http://www.w3.org/2000/svg";
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : ""));
  const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  /* --- labels of IRIs, looked up on this server ------------------------------------------------ */
  const labels = new Map(); // IRI -> label (page language first)
  const asked = new Set();
  const IRI_OK = /^[^<>"{}|^`\\\s]+$/;

  async function select(query) {
    const response = await fetch(cfg.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()));
    return (await response.json()).results.bindings;
  }

  async function fetchLabels(iris) {
    const wanted = [...new Set(iris)].filter((i) => !asked.has(i) && IRI_OK.test(i));
    wanted.forEach((i) => asked.add(i));
    let found = false;
    for (let start = 0; start < wanted.length; start += 300) {
      const chunk = wanted.slice(start, start + 300);
      const rows = await select(
        "SELECT ?s ?label WHERE { VALUES ?s { " + chunk.map((i) => "<" + i + ">").join(" ") +
          " } ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }");
      const rank = (b) => (b.label["xml:lang"] === S.lang ? 0 : !b.label["xml:lang"] ? 1 : 2);
      const best = new Map();
      for (const b of rows) {
        const old = best.get(b.s.value);
        if (!old || rank(b) < rank(old)) best.set(b.s.value, b);
      }
      for (const [iri, b] of best) labels.set(iri, b.label.value);
      found = found || best.size > 0;
    }
    return found;
  }

  /** The server path of one of our IRIs (…/id/x → /id/x), else the IRI itself. */
  function localHref(iri) {
    if (iri.startsWith(cfg.base + "/")) return iri.slice(cfg.base.length);
    return iri;
  }

  function prefixed(iri, prefixes) {
    for (const p in prefixes) if (prefixes[p] && iri.startsWith(prefixes[p])) return p + ":" + iri.slice(prefixes[p].length);
    return "<" + iri + ">";
  }

  /* --- the table, with labels ------------------------------------------------------------------ */
  const BaseTable = Yasr.plugins.table;
  BaseTable.defaults.openIriInNewWindow = false;
  class LabelledTable extends BaseTable {
    constructor(yasr) {
      super(yasr);
      this.label = S.table;
    }
    getUriLinkFromBinding(binding, prefixes) {
      const iri = binding.value;
      const label = labels.get(iri);
      const short = prefixed(iri, prefixes || {});
      if (!label) return "<a class='iri' href='" + esc(localHref(iri)) + "' title='" + esc(iri) + "'>" + esc(short) + "</a>";
      return "<a class='iri' href='" + esc(localHref(iri)) + "' title='" + esc(iri) + "'>" + esc(label) +
        "</a> <span class='wb-iri'>" + esc(short) + "</span>";
    }
  }
  Yasr.registerPlugin("table", LabelledTable);

  /* --- helpers for the map and the chart -------------------------------------------------------- */
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong|gYear)$/;
  function variables(yasr) { return (yasr.results && yasr.results.getVariables()) || []; }
  function bindings(yasr) { return (yasr.results && yasr.results.getBindings()) || []; }
  function coordinateVariables(yasr) {
    const vars = variables(yasr);
    const lat = vars.find((v) => /(^|_)lat(itude)?$/i.test(v) || /Lat(itude)?$/.test(v));
    const long = vars.find((v) => /(^|_)(long|lon|lng|longitude)$/i.test(v) || /(Long|Lon|Lng|Longitude)$/.test(v));
    return lat && long ? { lat, long } : null;
  }
  function isNumber(b) {
    return b && b.type !== "uri" && b.type !== "bnode" && b.value !== "" && !isNaN(Number(b.value)) &&
      (!b.datatype ? false : NUMERIC.test(b.datatype));
  }
  function numericVariables(yasr) {
    const rows = bindings(yasr);
    return variables(yasr).filter((v) => rows.some((r) => isNumber(r[v])) && rows.every((r) => !r[v] || isNumber(r[v])));
  }
  function text(b) { return !b ? "" : b.type === "uri" ? labels.get(b.value) || b.value : b.value; }
  /** The column naming each row: a label or name that differs between rows, else any such column. */
  function labelVariable(yasr, skip) {
    const rows = bindings(yasr);
    const distinct = (v) => rows.length < 2 || new Set(rows.map((r) => r[v] && r[v].value)).size > 1;
    const vars = variables(yasr).filter((v) => !skip.includes(v) && distinct(v));
    return vars.find((v) => /label|name/i.test(v) && !/En$/.test(v)) || vars.find((v) => /label|name/i.test(v)) ||
      vars.find((v) => rows.some((r) => r[v] && r[v].type === "uri")) || vars[0];
  }
  /** The numeric columns worth a bar: counts and amounts before years, codes and identifiers. */
  function valueVariables(yasr) {
    const numeric = numericVariables(yasr);
    const key = (v) => /year|code|^id$|identifier/i.test(v);
    return numeric.filter((v) => !key(v)).concat(numeric.filter(key));
  }
  function svg(tag, attrs, parent) {
    const el = document.createElementNS(SVGNS, tag);
    for (const k in attrs) el.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(el);
    return el;
  }
  function icon(path) {
    const el = svg("svg", { viewBox: "0 0 24 24", width: "16", height: "16", "aria-hidden": "true" });
    svg("path", { d: path, fill: "currentColor" }, el);
    return el;
  }

  /* --- the map: points of ?lat/?long on the outline of every local government's position -------- */
  let background = null; // [[lat, long]] of every local government, from this server, once
  async function allPlaces() {
    if (!background) {
      const rows = await select("PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n" +
        "SELECT ?lat ?long WHERE { ?s geo:lat ?lat ; geo:long ?long }");
      background = rows.map((r) => [Number(r.lat.value), Number(r.long.value)]);
    }
    return background;
  }
  class MapPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = S.map; }
    canHandleResults() {
      const c = coordinateVariables(this.yasr);
      return !!c && bindings(this.yasr).some((r) => isFinite(Number(r[c.lat] && r[c.lat].value)) && r[c.lat] && r[c.long]);
    }
    getIcon() { return icon("M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z"); }
    async draw() {
      const c = coordinateVariables(this.yasr);
      const rows = bindings(this.yasr);
      const points = [];
      let skipped = 0;
      const labelVar = labelVariable(this.yasr, [c.lat, c.long]);
      for (const r of rows) {
        const lat = Number(r[c.lat] && r[c.lat].value), long = Number(r[c.long] && r[c.long].value);
        if (!r[c.lat] || !r[c.long] || !isFinite(lat) || !isFinite(long)) { skipped++; continue; }
        const iriVar = variables(this.yasr).find((v) => r[v] && r[v].type === "uri");
        points.push({ lat, long, label: text(r[labelVar]) || lat + ", " + long, href: iriVar ? localHref(r[iriVar].value) : null });
      }
      let back = [];
      try { back = await allPlaces(); } catch (e) { back = []; }
      const all = back.concat(points.map((p) => [p.lat, p.long]));
      const lats = all.map((p) => p[0]), longs = all.map((p) => p[1]);
      const [minLat, maxLat, minLong, maxLong] = [Math.min(...lats), Math.max(...lats), Math.min(...longs), Math.max(...longs)];
      const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
      const W = 800, pad = 12;
      const scale = (W - 2 * pad) / Math.max((maxLong - minLong) * k, 0.01);
      const H = Math.max(200, Math.min(900, (maxLat - minLat) * scale + 2 * pad));
      const x = (long) => pad + (long - minLong) * k * scale;
      const y = (lat) => pad + (maxLat - lat) * scale;
      const figure = document.createElement("figure");
      figure.className = "wb-map";
      const id = "wb-map-title-" + Math.random().toString(36).slice(2);
      const el = svg("svg", { viewBox: `0 0 ${W} ${H.toFixed(0)}`, role: "group", "aria-labelledby": id, class: "wb-map-svg" }, figure);
      svg("title", { id }, el).textContent = S.mapTitle;
      const g = svg("g", { class: "wb-map-background", "aria-hidden": "true" }, el);
      for (const [la, lo] of back) svg("circle", { cx: x(lo).toFixed(1), cy: y(la).toFixed(1), r: 1.6 }, g);
      const marks = svg("g", { class: "wb-map-points" }, el);
      for (const p of points) {
        const parent = p.href ? svg("a", { href: p.href }, marks) : marks;
        const dot = svg("circle", { cx: x(p.long).toFixed(1), cy: y(p.lat).toFixed(1), r: 5, class: "wb-mark" }, parent);
        svg("title", {}, dot).textContent = p.label;
        if (p.href) parent.setAttribute("aria-label", p.label);
      }
      const caption = document.createElement("figcaption");
      caption.textContent = fmt(S.mapCaption, { n: points.length, lat: c.lat, long: c.long }) +
        (skipped ? " " + fmt(S.mapSkipped, { n: skipped }) : "");
      figure.appendChild(caption);
      this.yasr.resultsEl.appendChild(figure);
    }
  }
  Yasr.registerPlugin("map", MapPlugin);

  /* --- the bar chart: one numeric column by a label column ------------------------------------- */
  const CHART_ROWS = 200;
  class ChartPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 4; this.label = S.chart; this.column = null; }
    canHandleResults() { return bindings(this.yasr).length > 0 && numericVariables(this.yasr).length > 0; }
    getIcon() { return icon("M4 20h16v2H2V2h2zm2-3V9h3v8zm5 0V4h3v13zm5 0v-6h3v6z"); }
    draw() {
      const numeric = valueVariables(this.yasr);
      const value = numeric.includes(this.column) ? this.column : numeric[0];
      const labelVar = labelVariable(this.yasr, [value]);
      const all = bindings(this.yasr).filter((r) => isNumber(r[value]));
      const rows = all.slice(0, CHART_ROWS);
      const wrap = document.createElement("div");
      wrap.className = "wb-chart";
      if (numeric.length > 1) {
        const p = document.createElement("p");
        const id = "wb-chart-col-" + Math.random().toString(36).slice(2);
        const lab = document.createElement("label");
        lab.htmlFor = id; lab.textContent = S.chartValue + " ";
        const sel = document.createElement("select");
        sel.id = id;
        for (const v of numeric) { const o = document.createElement("option"); o.value = v; o.textContent = "?" + v; o.selected = v === value; sel.appendChild(o); }
        sel.addEventListener("change", () => { this.column = sel.value; this.yasr.resultsEl.replaceChildren(); this.draw(); });
        p.append(lab, sel);
        wrap.appendChild(p);
      }
      const max = Math.max(0, ...rows.map((r) => Number(r[value].value)));
      const min = Math.min(0, ...rows.map((r) => Number(r[value].value)));
      const W = 800, bar = 22, left = 240, right = 70, top = 8;
      const H = top * 2 + rows.length * bar;
      const span = max - min || 1;
      const x = (v) => left + ((v - min) / span) * (W - left - right);
      const figure = document.createElement("figure");
      const id = "wb-chart-title-" + Math.random().toString(36).slice(2);
      const el = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": id, class: "wb-chart-svg" }, figure);
      const title = fmt(S.chartTitle, { value, label: labelVar || "" });
      svg("title", { id }, el).textContent = title + ": " + rows.map((r) => text(r[labelVar]) + " " + r[value].value).join(", ");
      rows.forEach((r, i) => {
        const v = Number(r[value].value);
        const yy = top + i * bar;
        const name = text(r[labelVar]) || String(i + 1);
        const t = svg("text", { x: left - 6, y: yy + bar * 0.68, "text-anchor": "end", class: "wb-chart-label" }, el);
        t.textContent = name.length > 28 ? name.slice(0, 27) + "…" : name;
        const rect = svg("rect", { x: Math.min(x(0), x(v)).toFixed(1), y: yy + 3, width: Math.max(1, Math.abs(x(v) - x(0))).toFixed(1), height: bar - 6, class: "wb-bar" }, el);
        svg("title", {}, rect).textContent = name + ": " + r[value].value;
        const n = svg("text", { x: (Math.max(x(0), x(v)) + 4).toFixed(1), y: yy + bar * 0.68, class: "wb-chart-value" }, el);
        n.textContent = Number(v).toLocaleString(S.lang);
      });
      const caption = document.createElement("figcaption");
      caption.textContent = title + " — " + fmt(S.chartCaption, { n: rows.length }) + (all.length > rows.length ? " " + fmt(S.chartCut, { n: CHART_ROWS }) : "");
      figure.appendChild(caption);
      wrap.appendChild(figure);
      this.yasr.resultsEl.appendChild(wrap);
    }
  }
  Yasr.registerPlugin("chart", ChartPlugin);

  /* --- YASGUI itself ------------------------------------------------------------------------------ */
  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: cfg.endpoint }], keys: [] },
    persistenceId: "smartcity-kg-workbench",
    tabName: S.tab,
    autofocus: false,
    // a shared link (#query=…) always runs here, whatever endpoint it names
    populateFromUrl: (tab) => { tab.requestConfig.endpoint = cfg.endpoint; return tab; },
    yasqe: { value: cfg.defaultQuery, autocompleters: ["variables", "prefixes"], editorHeight: "280px" },
    yasr: { prefixes: cfg.prefixes, pluginOrder: ["table", "map", "chart", "response"], defaultPlugin: "table" },
  });
  window.workbench = yasgui; // for the browser tests and the curious
  document.body.classList.add("wb-ready");

  /* --- examples, prefixes ------------------------------------------------------------------------ */
  const picker = document.getElementById("wb-example");
  const openButton = document.getElementById("wb-open");
  const prefixButton = document.getElementById("wb-prefixes");
  picker.addEventListener("change", () => { openButton.disabled = !picker.value; });
  openButton.addEventListener("click", () => {
    const example = cfg.examples.find((e) => e.name === picker.value);
    if (!example) return;
    yasgui.addTab(true, { name: example.title[S.lang] || example.title.en, yasqe: { value: example.query } });
    setTimeout(() => yasgui.getTab().query().catch(() => {}), 0);
  });
  prefixButton.disabled = false;
  prefixButton.addEventListener("click", () => {
    const yasqe = yasgui.getTab().getYasqe();
    yasqe.addPrefixes(cfg.prefixes);
    yasqe.focus();
  });

  /* --- downloads and the shareable link ----------------------------------------------------------- */
  const after = document.getElementById("wb-after");
  const shareLink = document.getElementById("wb-share-link");
  const status = document.getElementById("wb-status");
  const SOLUTION_FORMATS = [["csv", "CSV"], ["tsv", "TSV"], ["json", "SPARQL JSON"], ["xml", "SPARQL XML"]];
  const GRAPH_FORMATS = [["turtle", "Turtle"], ["nt", "N-Triples"], ["rdfxml", "RDF/XML"], ["jsonld", "JSON-LD"]];
  const EXT = { csv: "csv", tsv: "tsv", json: "srj", xml: "srx", turtle: "ttl", nt: "nt", rdfxml: "rdf", jsonld: "jsonld" };

  function share(tab) {
    const url = new URL(location.pathname, location.href);
    url.search = S.lang ? "lang=" + S.lang : "";
    url.hash = new URLSearchParams({ query: tab.getQuery(), tabTitle: tab.getName() }).toString();
    return url.toString();
  }
  function update(tab) {
    if (!tab || !tab.getYasqe()) return; // a tab not drawn yet has no editor to read
    let query;
    try { query = tab.getQuery(); } catch (e) { return; }
    const kind = tab.getYasqe().getQueryType();
    const formats = kind === "CONSTRUCT" || kind === "DESCRIBE" ? GRAPH_FORMATS : SOLUTION_FORMATS;
    const links = after.querySelector(".wb-links");
    links.replaceChildren();
    formats.forEach(([name, title], i) => {
      const a = document.createElement("a");
      a.href = cfg.endpoint + "?" + new URLSearchParams({ query, format: name }).toString();
      a.textContent = title;
      a.setAttribute("download", "results." + EXT[name]);
      a.dataset.format = name;
      if (i) links.appendChild(document.createTextNode(" · "));
      links.appendChild(a);
    });
    shareLink.href = share(tab);
    after.hidden = false;
  }
  document.getElementById("wb-copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(shareLink.href); status.textContent = S.copied; }
    catch (e) { status.textContent = S.copyFailed; }
  });

  /* --- after each answer: labels, then redraw; the links ------------------------------------------- */
  yasgui.on("queryResponse", async (_y, tab) => {
    await new Promise((resolve) => setTimeout(resolve, 0)); // YASGUI tells before YASR has the results
    update(tab);
    const yasr = tab.getYasr();
    const iris = [];
    for (const row of bindings(yasr)) for (const v in row) if (row[v].type === "uri") iris.push(row[v].value);
    try { if (await fetchLabels(iris)) yasr.draw(); } catch (e) { console.warn("labels:", e); }
    document.getElementById("yasgui").dataset.answered = String(Number(document.getElementById("yasgui").dataset.answered || 0) + 1);
  });
  yasgui.on("tabSelect", (_y, id) => setTimeout(() => update(yasgui.getTab(id)), 0));
  yasgui.on("tabChange", (_y, tab) => update(tab));
  update(yasgui.getTab());

  /* a link to #query=… followed on this page opens it in a new tab and runs it */
  window.addEventListener("hashchange", () => {
    const params = new URLSearchParams(location.hash.slice(1));
    if (!params.get("query")) return;
    yasgui.addTab(true, { name: params.get("tabTitle") || S.tab, yasqe: { value: params.get("query") } });
    history.replaceState(null, "", location.pathname + location.search);
    setTimeout(() => yasgui.getTab().query().catch(() => {}), 0);
  });

  /* --- accessibility YASGUI 4.6.2 lacks: a name for the editor, a scroll area reachable by
     keyboard, a tab list only when it holds tabs ------------------------------------------------ */
  function patch(node) {
    if (node.nodeType !== 1) return;
    node.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach((t) => t.setAttribute("aria-label", S.editor));
    node.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach((t) => t.setAttribute("tabindex", "0"));
    node.querySelectorAll(".tableSizer:not([aria-label])").forEach((t) => t.setAttribute("aria-label", S.pageSize));
    // its tab list mixes tabs with other items: plain links read right, ARIA tabs half-done do not
    node.querySelectorAll("[role=tablist]").forEach((t) => t.removeAttribute("role"));
    node.querySelectorAll(".tabsList [role=tab]").forEach((t) => { t.removeAttribute("role"); t.removeAttribute("aria-selected"); });
  }
  patch(root);
  new MutationObserver((records) => records.forEach((r) => {
    r.addedNodes.forEach(patch);
    if (r.type === "attributes" && r.target.closest && r.target.closest(".tabsList")) {
      if (r.target.getAttribute("role") === "tab") r.target.removeAttribute("role");
      if (r.target.hasAttribute("aria-selected")) r.target.removeAttribute("aria-selected");
    }
  })).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-selected"] });

  /* --- YASGUI's own words in the page's language --------------------------------------------------- */
  if (S.lang !== "en") {
    const words = S.yasgui;
    const translate = (s) => {
      if (words[s]) return words[s];
      const m = /^Shows (.+) view$/.exec(s);
      if (m) return m[1] + (S.lang === "ja" ? "で表示" : "");
      const k = /^Showing (\d+) (?:to|-) (\d+) of ([\d,]+) entries$/.exec(s);
      if (k) return `${k[3]} 件中 ${k[1]}〜${k[2]} 件`;
      return null;
    };
    const walk = (node) => {
      if (node.nodeType === 3) {
        const t = node.nodeValue;
        const out = translate(t) || translate(t.trim());
        if (out && out !== t) node.nodeValue = out;
        return;
      }
      if (node.nodeType !== 1) return;
      for (const attr of ["title", "aria-label", "placeholder"]) {
        const v = node.getAttribute(attr);
        const out = v && translate(v);
        if (out && out !== v) node.setAttribute(attr, out);
      }
      node.childNodes.forEach(walk);
    };
    walk(root);
    new MutationObserver((records) => records.forEach((r) => {
      r.addedNodes.forEach(walk);
      if (r.type === "attributes" || r.type === "characterData") walk(r.target);
    })).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["title", "aria-label", "placeholder"] });
  }
})();
