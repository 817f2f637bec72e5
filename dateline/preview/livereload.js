// dateline preview: reload when the site is rebuilt; show build problems over the page.
// Served by `dateline serve` only; never part of a built site.
(() => {
  "use strict";
  const storageKey = "dateline:return:" + location.pathname;
  const overlayId = "dateline-problems";
  if (sessionStorage.getItem(storageKey) !== null) history.scrollRestoration = "manual";

  function restorePosition() {
    const saved = sessionStorage.getItem(storageKey);
    if (saved === null) return;
    sessionStorage.removeItem(storageKey);
    const place = JSON.parse(saved);
    const target = place.anchor && document.getElementById(place.anchor);
    if (target) target.scrollIntoView({ block: "start", behavior: "instant" });
    else window.scrollTo({ top: place.y || 0, behavior: "instant" });
  }

  function reload(changed) {
    const anchor = changed && document.getElementById(changed) ? changed : null;
    sessionStorage.setItem(storageKey, JSON.stringify({ anchor, y: window.scrollY }));
    location.reload();
  }

  function showProblems(problems) {
    let overlay = document.getElementById(overlayId);
    if (!problems.length) {
      if (overlay) overlay.remove();
      return;
    }
    if (!overlay) {
      overlay = document.createElement("section");
      overlay.id = overlayId;
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-label", "Build problems");
      overlay.style.cssText =
        "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "margin:0;padding:1rem 1.25rem;background:#1c1b1a;color:#fdfcfa;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "border-top:4px solid #dc2626;box-shadow:0 -4px 16px rgb(0 0 0 / 0.4)";
      document.body.appendChild(overlay);
    }
    overlay.replaceChildren();
    const heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:700";
    const errors = problems.filter((p) => p.severity === "error").length;
    heading.textContent = errors
      ? `The site was not rebuilt: ${errors} error${errors === 1 ? "" : "s"}. Showing the last good build.`
      : `${problems.length} warning${problems.length === 1 ? "" : "s"}.`;
    overlay.appendChild(heading);
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding:0;list-style:none";
    for (const p of problems) {
      const item = document.createElement("li");
      item.textContent = `${p.path}:${p.line}:${p.column}: ${p.severity}: ${p.message}`;
      item.style.color = p.severity === "error" ? "#fca5a5" : "#fde68a";
      list.appendChild(item);
    }
    overlay.appendChild(list);
  }

  let epoch = null;
  function connect() {
    const events = new EventSource("/__dateline/events");
    events.onmessage = (message) => {
      const state = JSON.parse(message.data);
      if (epoch !== null && state.epoch !== epoch && state.ok) {
        reload(state.changed);
        return;
      }
      epoch = state.epoch;
      document.documentElement.dataset.datelinePreview = String(epoch);
      showProblems(state.problems);
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => { restorePosition(); connect(); });
  } else {
    restorePosition();
    connect();
  }
})();
