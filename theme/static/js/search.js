// The search page: queries the Pagefind bundle built by `python -m attention.search`.
// Hebrew: the index repeats a prefixed word's stem after "_" ("בפודקאסטים_פודקאסטים", see
// attention/site/searchterms.py); here the same prefixes are stripped from the query and the
// "_stem" tail is cut from what the reader sees.
const LETTERS = "\u05d0-\u05ea";
const HEBREW_WORD = new RegExp(`^[${LETTERS}]+$`);
const CLUSTER = /^ו?(?:כש|ש)?(?:מה|[בלכמה])?/;
const JOINED = new RegExp(`([${LETTERS}]+)_[${LETTERS}]+`, "g");
const MIN_STEM = 3;
const MAX_RESULTS = 20;

const siteRoot = new URL("../../", import.meta.url);

function stripPrefix(word) {
  if (!HEBREW_WORD.test(word)) return word;
  let cluster = word.match(CLUSTER)[0];
  while (cluster && word.length - cluster.length < MIN_STEM) {
    cluster = cluster.slice(0, -1);
    if (!new RegExp(`^(?:${CLUSTER.source.slice(1)})$`).test(cluster)) cluster = cluster.slice(0, -1);
  }
  return word.slice(cluster.length);
}

const FINAL = { כ: "ך", מ: "ם", נ: "ן", פ: "ף", צ: "ץ" };

// "ערוצים" -> "ערוץ": drop a plural ending and give the new last letter its final form.
function singular(word) {
  if (!(HEBREW_WORD.test(word) && word.length >= MIN_STEM + 2 && /(ים|ות)$/.test(word))) {
    return word;
  }
  const base = word.slice(0, -2);
  return base.slice(0, -1) + (FINAL[base.at(-1)] || base.at(-1));
}

// The query as typed, without prefixes, and without prefixes or plural endings.
export function queryVariants(query) {
  const words = query.trim().split(/\s+/).filter(Boolean);
  const stripped = words.map(stripPrefix);
  const variants = [words.join(" "), stripped.join(" "), stripped.map(singular).join(" ")];
  return [...new Set(variants)].filter(Boolean);
}

export function clean(text) {
  return (text || "").replace(JOINED, "$1");
}

let pagefind;
async function engine() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
  }
  return pagefind;
}

export async function search(query) {
  const pf = await engine();
  const best = new Map();
  for (const variant of queryVariants(query)) {
    const found = await pf.search(variant);
    for (const result of found.results) {
      const seen = best.get(result.id);
      if (!seen || seen.score < result.score) best.set(result.id, result);
    }
  }
  const ranked = [...best.values()].sort((a, b) => b.score - a.score);
  const readerLang = document.documentElement.lang;
  const terms = queryVariants(query).flatMap((variant) => variant.split(" ")).map(fold);
  const items = [];
  for (const result of ranked) {
    if (items.length >= MAX_RESULTS) break;
    const item = await result.data();
    if (reallyMatches(item, terms)) items.push(item);
  }
  // Pages in the reader's language first, each group still by score.
  const mine = items.filter((item) => item.meta.lang === readerLang);
  return [...mine, ...items.filter((item) => item.meta.lang !== readerLang)];
}

function fold(word) {
  return word.toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

// Pagefind also matches an indexed word that is a prefix of the query (meant for stemming), so
// "בקסם" would match the "ב" of "ב-Google". Keep a page only if a matched word starts with a
// query term, or is that term less at most a two-letter ending ("podcasts" -> "podcast").
function reallyMatches(item, terms) {
  const words = item.content.split(/\s+/);
  return item.locations.some((location) =>
    candidates(words[location]).some((word) =>
      terms.some(
        (term) =>
          word.startsWith(term) ||
          (term.startsWith(word) && word.length >= Math.max(MIN_STEM, term.length - 2)),
      ),
    ),
  );
}

// A matched word as Pagefind indexed it: whole, each part ("ב-Google" -> "ב", "Google"),
// and each part without its Hebrew prefix.
function candidates(raw) {
  const text = clean(raw || "");
  const parts = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return [text, ...parts, ...parts.map(stripPrefix)].map(fold).filter(Boolean);
}

function render(items, status, list) {
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement("li");
    const lang = item.meta.lang;
    if (lang) {
      li.lang = lang;
      li.dir = lang === "he" ? "rtl" : "ltr";
    }
    const link = document.createElement("a");
    link.href = item.url;
    link.textContent = clean(item.meta.title);
    const excerpt = document.createElement("p");
    // Pagefind escapes the page text and adds only <mark> around the matches.
    excerpt.innerHTML = clean(item.excerpt);
    li.append(link, excerpt);
    list.append(li);
  }
  status.textContent = items.length
    ? status.dataset.count.replace("{count}", String(items.length))
    : status.dataset.none;
}

function start() {
  const form = document.querySelector(".search-page-form");
  const input = document.getElementById("search-query");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;
  let latest = 0;
  let timer;
  const run = async () => {
    const query = input.value.trim();
    const ticket = ++latest;
    const url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const items = await search(query);
    if (ticket === latest) render(items, status, list);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  input.value = new URLSearchParams(window.location.search).get("q") || "";
  if (input.value) run();
  document.documentElement.dataset.searchReady = "1";
}

start();
