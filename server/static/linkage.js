// The /linkage page without reloads: the preview as soon as a file is chosen (POST /api/enrich/preview),
// the enriched file fetched from POST /api/enrich and offered as a download with a summary.
// Without this script the same form works in two steps (preview page, then the download).
"use strict";
(function () {
  const form = document.querySelector(".linkage-form");
  if (!form || !window.fetch || !window.FormData) return;
  const ja = document.documentElement.lang === "ja";
  const t = (j, e) => (ja ? j : e);
  const file = form.querySelector("#linkage-file");
  const previewBox = form.querySelector("#linkage-preview");
  const result = form.querySelector("#linkage-result");
  let lastUrl = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    children.forEach((c) => node.append(c));
    return node;
  }

  function showError(where, message) {
    where.replaceChildren(el("p", { class: "error", role: "alert" }, t("処理できません：", "Cannot process: ") + message));
  }

  function columnSelect(id, name, columns, selected, optional) {
    const select = el("select", { id: id, name: name });
    if (optional) select.append(el("option", { value: "" }, t("なし", "none")));
    columns.forEach((c) => {
      const option = el("option", { value: String(c.index) }, c.index + ": " + c.name);
      if (c.index === selected) option.selected = true;
      select.append(option);
    });
    const old = form.querySelector("#" + id);
    old.replaceWith(select);
  }

  function renderPreview(info) {
    const head = el("tr", {}, ...info.columns.map((c) => el("th", { scope: "col" }, el("span", { class: "num" }, String(c.index)), " " + c.name)));
    const body = el("tbody", {}, ...info.preview.map((row) => el("tr", {}, ...row.map((cell) => el("td", {}, cell)))));
    const table = el("table", { class: "preview" },
      el("caption", {}, t("先頭の行", "First rows") + " (" + info.preview.length + " / " + info.rows + ", " + info.encoding + ")"),
      el("thead", {}, head), body);
    previewBox.replaceChildren(el("div", { class: "table-scroll", tabindex: "0", role: "region",
      "aria-label": t("ファイルの先頭", "The start of the file") }, table));
    columnSelect("linkage-column", "column", info.columns, info.column, false);
    columnSelect("linkage-prefecture", "prefecture_column", info.columns, info.prefectureColumn, true);
  }

  function fields(withStep) {
    const data = new FormData(form);
    data.delete("step");
    if (file.files.length) { data.delete("data"); data.delete("filename"); }
    if (withStep) data.set("step", withStep);
    return data;
  }

  async function preview() {
    if (!file.files.length) return;
    result.replaceChildren();
    previewBox.replaceChildren(el("p", { class: "muted" }, t("読み込み中…", "Reading…")));
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body: fields(), headers: { Accept: "application/json" } });
      const info = await response.json();
      if (!response.ok) return showError(previewBox, info.error);
      renderPreview(info);
    } catch (e) {
      showError(previewBox, String(e));
    }
  }

  async function enrich() {
    result.replaceChildren(el("p", { class: "muted" }, t("照合中…", "Matching…")));
    try {
      const response = await fetch("/api/enrich", { method: "POST", body: fields(), headers: { Accept: "text/csv, application/json" } });
      if (!response.ok) {
        const info = await response.json();
        return showError(result, info.error);
      }
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
      const plain = /filename="?([^";]+)"?/i.exec(disposition);
      const name = utf8 ? decodeURIComponent(utf8[1]) : plain ? plain[1] : "enriched.csv";
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(blob);
      const h = (k) => response.headers.get("X-Enrich-" + k) || "0";
      const link = el("a", { href: lastUrl, download: name, class: "download", id: "linkage-download" }, t("ダウンロード：", "Download: ") + name);
      const summary = el("ul", { class: "summary" },
        el("li", {}, t("行数", "Rows") + ": " + h("Rows")),
        el("li", { class: "matched" }, "matched: " + h("Matched")),
        el("li", { class: "ambiguous" }, "ambiguous: " + h("Ambiguous")),
        el("li", { class: "not-found" }, "not found: " + h("Not-Found")),
        el("li", {}, t("文字コード", "Encoding") + ": " + h("Encoding")));
      const parts = [el("p", {}, link), summary];
      const fallback = response.headers.get("X-Enrich-Encoding-Fallback");
      if (fallback) parts.push(el("p", { class: "notice" }, fallback));
      result.replaceChildren(...parts);
      link.click();
    } catch (e) {
      showError(result, String(e));
    }
  }

  file.addEventListener("change", preview);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const step = event.submitter && event.submitter.value;
    if (step === "preview") preview(); else enrich();
  });
})();
