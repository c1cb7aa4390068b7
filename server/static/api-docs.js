// "Try it" on the API docs page: sends the form with fetch and shows status, headers and body
// under it. Without JavaScript the forms still work (the browser opens the answer).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.try")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (value !== "") params.append(name, value);
      }
      const url = form.getAttribute("action") + (params.toString() ? "?" + params : "");
      const out = form.querySelector("pre.result");
      out.hidden = false;
      out.textContent = "GET " + url + "\n…";
      try {
        const response = await fetch(url);
        let body = await response.text();
        const type = response.headers.get("Content-Type") || "";
        if (type.includes("json")) {
          try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* shown as sent */ }
        }
        const shown = ["Content-Type", "ETag", "X-Result-Truncated"]
          .filter((h) => response.headers.get(h))
          .map((h) => h + ": " + response.headers.get(h)).join("\n");
        out.textContent = "GET " + url + "\n" + response.status + " " + response.statusText + "\n"
          + shown + "\n\n" + body;
      } catch (error) {
        out.textContent = "GET " + url + "\n" + error;
      }
    });
  }
});
