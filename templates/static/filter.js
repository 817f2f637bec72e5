// dateline: filter the timeline by kind, place, tag, year and words, instantly, with the state
// in the address (?kind=diplomacy&place=Odesa) so a filtered view can be shared. Hand-written,
// no framework, no request beyond the site's own search.json. Without it, the page shows every
// event and the Browse links lead to static pages.
(() => {
  "use strict";
  const form = document.querySelector("form.filters");
  if (!form || !window.fetch) return;
  const timeline = document.querySelector(".timeline");
  const complete = timeline !== null && timeline.dataset.complete === "true";
  const results = document.getElementById("filter-results");
  const status = document.getElementById("filter-status");
  const fields = ["q", "kind", "place", "tag", "year"];
  const SHOWN = 500;

  fetch(form.dataset.index)
    .then((response) => response.json())
    .then(start)
    .catch(() => { /* the Browse links still work */ });

  function start(index) {
    const events = index.events.map((e) => ({
      slug: e[0], title: e[1], date: e[2], year: e[3] === null ? "" : String(e[3]), kind: e[4],
      places: e[5].map((i) => index.places[i]), tags: e[6].map((i) => index.tags[i]), text: e[7],
    }));
    for (const e of events) {
      e.words = [e.title, e.places.join(" "), e.tags.join(" "), e.text].join(" ").toLowerCase();
    }
    const values = {
      kind: Object.keys(index.kinds),
      place: index.places,
      tag: index.tags,
      year: [...new Set(events.map((e) => e.year).filter(Boolean))].sort(),
    };
    const labels = { kind: (v) => index.kinds[v] || v, place: (v) => v, tag: (v) => v, year: (v) => v };
    for (const name of ["kind", "place", "tag", "year"]) {
      const select = form.elements[name];
      for (const value of values[name]) select.add(new Option(labels[name](value), value));
    }
    const params = new URLSearchParams(location.search);
    for (const name of fields) {
      const value = params.get(name);
      if (value !== null) form.elements[name].value = value;
    }
    form.hidden = false;
    form.addEventListener("input", () => apply(true));
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => setTimeout(() => apply(true)));
    window.addEventListener("beforeprint", () => {
      for (const details of document.querySelectorAll("details")) details.open = true;
    });
    apply(false);

    function state() {
      const chosen = {};
      for (const name of fields) chosen[name] = form.elements[name].value.trim();
      return chosen;
    }

    function matches(e, chosen, except) {
      if (except !== "kind" && chosen.kind && e.kind !== chosen.kind) return false;
      if (except !== "place" && chosen.place && !e.places.includes(chosen.place)) return false;
      if (except !== "tag" && chosen.tag && !e.tags.includes(chosen.tag)) return false;
      if (except !== "year" && chosen.year && e.year !== chosen.year) return false;
      if (chosen.q) {
        for (const word of chosen.q.toLowerCase().split(/\s+/)) {
          if (!e.words.includes(word)) return false;
        }
      }
      return true;
    }

    function apply(remember) {
      const chosen = state();
      const active = fields.some((name) => chosen[name]);
      const matched = events.filter((e) => matches(e, chosen, null));
      updateCounts(chosen);
      if (complete) showInTimeline(new Set(matched.map((e) => e.slug)), active);
      else showResults(matched, active);
      status.replaceChildren();
      if (!active) status.textContent = `${events.length} events. Choose a filter or type a word.`;
      else if (!matched.length) {
        status.append("No events match these filters. ");
        const clear = document.createElement("button");
        clear.type = "button";
        clear.textContent = "Clear filters";
        clear.addEventListener("click", () => {
          form.reset();
          form.elements.q.focus(); // the button goes away with the message: keep the focus near
        });
        status.append(clear);
      } else status.textContent = `${matched.length} of ${events.length} events match.`;
      if (remember) {
        const query = new URLSearchParams();
        for (const name of fields) if (chosen[name]) query.set(name, chosen[name]);
        const address = query.toString() ? `?${query}` : location.pathname;
        history.replaceState(null, "", address + location.hash);
      }
    }

    function updateCounts(chosen) {
      for (const name of ["kind", "place", "tag", "year"]) {
        const counts = new Map();
        for (const e of events) {
          if (!matches(e, chosen, name)) continue;
          const own = name === "place" ? e.places : name === "tag" ? e.tags : [e[name]];
          for (const value of own) counts.set(value, (counts.get(value) || 0) + 1);
        }
        for (const option of form.elements[name].options) {
          if (!option.value) continue;
          option.textContent = `${labels[name](option.value)} (${counts.get(option.value) || 0})`;
        }
      }
    }

    function showInTimeline(slugs, active) {
      for (const item of timeline.querySelectorAll("li.event")) {
        const article = item.querySelector("article[id]");
        item.hidden = active && !slugs.has(article.id);
      }
      for (const section of timeline.querySelectorAll("section.month, section.year")) {
        section.hidden = active && !section.querySelector("li.event:not([hidden])");
      }
    }

    function showResults(matched, active) {
      results.replaceChildren();
      results.hidden = !active;
      if (timeline) timeline.hidden = active;
      for (const e of matched.slice(0, SHOWN)) {
        const item = document.createElement("li");
        item.className = `event-line kind-${e.kind}`;
        const when = document.createElement("span");
        when.className = "event-date";
        when.textContent = `${e.date} · ${index.kinds[e.kind] || e.kind} · `;
        const link = document.createElement("a");
        link.href = `${index.base}events/${e.slug}/`;
        link.textContent = e.title;
        item.append(when, link);
        if (e.places.length) item.append(` (${e.places.join(", ")})`);
        results.append(item);
      }
      if (matched.length > SHOWN) {
        const more = document.createElement("li");
        more.textContent = `…and ${matched.length - SHOWN} more: narrow the filters to see them.`;
        results.append(more);
      }
    }
  }
})();
