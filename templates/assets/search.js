/* Plansite search page. Pagefind is the engine; this script loads it only when the reader starts
   using the box (first focus or input), then:
   - converts traditional characters to simplified with assets/t2s.json (built from OpenCC);
   - ranks the pages that contain each query term as printed (the exact phrase, not only its
     segmented words) first, and with a quoted term (“…” or "…") shows only those pages;
   - shows, per page, the paragraphs holding the phrase, linked to the paragraph's own anchor with
     a text fragment (#id:~:text=…) so that the browser marks the term on landing;
   - shows 20 pages at a time, with a "more results" button. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = new URL("../", script.src);           // the site root: this file is assets/search.js
  var form = document.querySelector("form.search");
  var input = document.getElementById("q");
  var select = document.getElementById("plan");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var more = document.getElementById("more");
  var PAGE = 20;          // pages shown per step
  var CHECKED = 150;      // pages whose text is fetched to check for the exact phrase
  var loading = null;
  var latest = 0;
  var t2s = {};
  var exclude = [];       // plan versions hidden from every search (pagefind/shards.json)
  var hide = Object.create(null);  // page ids hidden from every search: the shards' stale copies of edited pages
  var shown = [];
  var shownCount = 0;

  function load() {
    if (!loading) {
      var table = fetch(new URL("assets/t2s.json", root).href).then(function (r) {
        return r.ok ? r.json() : { t: "", s: "" };
      }).then(function (data) {
        var t = Array.from(data.t || ""), s = Array.from(data.s || "");
        t.forEach(function (c, i) { t2s[c] = s[i]; });
      });
      loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: root.pathname, excerptLength: 40 }).then(function () {
          /* an index of many plans comes in shards (and overlays of plans edited since their
             shard was indexed): merge the other bundles listed in shards.json; the plan versions
             it excludes (stale copies, removed plans) are left out of every search by the "v" filter,
             the page ids it hides (a shard's stale copies of the pages an overlay holds) from every result list */
          return fetch(new URL("pagefind/shards.json", root)).then(function (r) { return r.ok ? r.json() : { bundles: [] }; })
            .then(function (s) {
              exclude = s.exclude || [];
              (s.hide || []).forEach(function (id) { hide[id] = true; });
              return Promise.all((s.bundles || []).map(function (b) {
                return pagefind.mergeIndex(new URL("pagefind/" + b, root).pathname, { baseUrl: root.pathname });
              }));
            });
        }).then(function () {
          return pagefind.filters();    // loads every filter
        }).then(function (filters) {
          /* the plans that have pages once the excluded versions are left out */
          return exclude.length ? pagefind.search(null, { filters: filtersFor("") }).then(function (r) { return r.filters; })
            : filters;
        }).then(function (filters) {
          var counts = (filters && filters.plan) || {};
          var plans = Object.keys(counts).filter(function (name) { return counts[name] > 0; }).sort();
          var wanted = new URLSearchParams(location.search).get("plan") || select.value;
          plans.forEach(function (name) {
            var option = document.createElement("option");
            option.value = name;
            option.textContent = name;
            if (name === wanted) option.selected = true;
            select.appendChild(option);
          });
          return table;
        }).then(function () { return pagefind; });
      }).catch(function (error) {
        loading = null;
        status.textContent = "检索索引加载失败：" + error;
        throw error;
      });
    }
    return loading;
  }

  /* Pagefind filters for a search in ``plan`` ("" for all plans), without the excluded versions. */
  function filtersFor(plan) {
    var filters = {};
    if (plan) filters.plan = plan;
    if (exclude.length) filters.v = { none: exclude };
    return filters;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function simplify(text) {
    return Array.from(text).map(function (c) { return t2s[c] || c; }).join("");
  }

  /* The query as terms: quoted parts (“…” "…" 「…」) are required phrases; the rest split at spaces. */
  function parse(query) {
    var terms = [], required = [];
    var rest = query.replace(/[“"「『]([^”"」』]+)[”"」』]/g, function (_, phrase) {
      phrase = phrase.replace(/\s+/g, "");
      if (phrase) { terms.push(phrase); required.push(phrase); }
      return " ";
    });
    rest.split(/\s+/).forEach(function (t) {
      t = t.replace(/["“”「」『』]/g, "");
      if (t) terms.push(t);
    });
    return { terms: terms, required: required };
  }

  function has(text, term) {
    return text.toLowerCase().indexOf(term.toLowerCase()) >= 0;
  }

  function clean(title) {
    return (title || "").replace(/\s*¶\S*链接与引用\s*$/, "").trim();   // the permalink's hidden label
  }

  /* Pagefind's excerpts are escaped text with <mark> around the hits: keep only those marks. */
  function pagefindExcerpt(html) {
    var p = el("p", "excerpt");
    html.split(/<\/?mark>/).forEach(function (part, i) {
      var text = new DOMParser().parseFromString(part, "text/html").documentElement.textContent;
      p.appendChild(i % 2 ? el("mark", "", text) : document.createTextNode(text));
    });
    return p;
  }

  /* A window of ``text`` around the first ``term``, with every occurrence of the terms marked. */
  function phraseExcerpt(text, terms) {
    var lower = text.toLowerCase();
    var at = lower.indexOf(terms[0].toLowerCase());
    var start = Math.max(0, at - 30), end = Math.min(text.length, at + terms[0].length + 50);
    var slice = (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    var p = el("p", "excerpt");
    var pattern = new RegExp("(" + terms.map(function (t) {
      return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")", "gi");
    slice.split(pattern).forEach(function (part, i) {
      if (part) p.appendChild(i % 2 ? el("mark", "", part) : document.createTextNode(part));
    });
    return p;
  }

  /* #id:~:text=prefix-,term,-suffix : the browser scrolls to the term in that paragraph and marks
     it. The context runs back and forward to the nearest punctuation (at most 10 characters), so that
     the match is this occurrence; when the browser cannot match it (or has no text fragments) it
     goes to the paragraph's id instead, which is then highlighted as the page's :target. */
  function fragmentLink(url, id, text, term) {
    var at = text.indexOf(term);
    var enc = function (s) { return encodeURIComponent(s).replace(/-/g, "%2D").replace(/,/g, "%2C").replace(/&/g, "%26"); };
    var stop = /[\s，。、；：！？“”‘’（）《》「」]/;
    var head = Array.from(text.slice(0, at)), tail = Array.from(text.slice(at + term.length));
    var i = head.length;
    while (i > 0 && head.length - i < 10 && !stop.test(head[i - 1])) i--;
    var j = 0;
    while (j < tail.length && j < 10 && !stop.test(tail[j])) j++;
    var before = head.slice(i).join(""), after = tail.slice(0, j).join("");
    var directive = (before ? enc(before) + "-," : "") + enc(term) + (after ? ",-" + enc(after) : "");
    return url.split("#")[0] + "#" + id + ":~:text=" + directive;
  }

  /* Paragraphs and headings of the page holding the first term, each with the heading it is under. */
  function hits(data, terms) {
    var out = [], heading = "";
    (data.anchors || []).forEach(function (a) {
      var text = clean(a.text);
      if (/^h[1-6]$/.test(a.element)) heading = text;
      // the page's h1 is the result's title already
      if (a.id && text && has(text, terms[0]) && !/^(h1|aside|section|article|nav|details)$/.test(a.element)) {
        out.push({ id: a.id, text: text, heading: /^h[1-6]$/.test(a.element) ? text : heading });
      }
    });
    return out;
  }

  function renderOne(r) {
    var li = el("li", "result" + (r.exact ? " exact" : ""));
    var plan = (r.data.meta && r.data.meta.plan) || ((r.data.filters && r.data.filters.plan) || [])[0] || "";
    li.appendChild(el("p", "result-plan", plan));
    var h = el("h2", "result-title");
    var a = el("a", "", clean(r.data.meta && r.data.meta.title) || r.data.url);
    a.href = r.data.url;
    h.appendChild(a);
    li.appendChild(h);
    var found = r.exact ? hits(r.data, r.terms) : [];
    if (found.length) {
      var ul = el("ul", "sub-results");
      found.slice(0, 3).forEach(function (hit) {
        var item = el("li");
        var link = el("a", "", hit.heading || clean(r.data.meta && r.data.meta.title));
        // a heading's words recur in the breadcrumbs and the outline: plain #id (the heading is then highlighted)
        link.href = hit.heading === hit.text ? r.data.url.split("#")[0] + "#" + hit.id
          : fragmentLink(r.data.url, hit.id, hit.text, r.terms[0]);
        item.appendChild(link);
        item.appendChild(phraseExcerpt(hit.text, r.terms));
        ul.appendChild(item);
      });
      if (found.length > 3) ul.appendChild(el("li", "more-hits", "本页另有" + (found.length - 3) + "处"));
      li.appendChild(ul);
    } else if (r.exact) {
      li.appendChild(phraseExcerpt(r.data.content, r.terms));
    } else {
      li.appendChild(el("p", "partial", "只含检索词的一部分："));
      li.appendChild(pagefindExcerpt(r.data.excerpt));
    }
    return li;
  }

  function showMore() {
    var next = shown.slice(shownCount, shownCount + PAGE);
    next.forEach(function (r) { list.appendChild(renderOne(r)); });
    shownCount += next.length;
    more.hidden = shownCount >= shown.length;
    if (!more.hidden) more.textContent = "显示更多结果（还有" + (shown.length - shownCount) + "个）";
  }

  function search() {
    var raw = input.value.trim();
    var ticket = ++latest;
    var params = new URLSearchParams();
    if (raw) params.set("q", raw);
    if (select.value) params.set("plan", select.value);
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    list.textContent = "";
    more.hidden = true;
    if (!raw) {
      status.textContent = "";
      return;
    }
    status.textContent = "正在检索…";
    load().then(function (pagefind) {
      var query = simplify(raw);
      var parsed = parse(query);
      var options = { filters: filtersFor(select.value) };
      return pagefind.search(parsed.terms.join(" "), options).then(function (found) {
        if (ticket !== latest) return null;
        var results = found.results.filter(function (r) { return !hide[r.id]; });
        var checked = results.slice(0, CHECKED);
        return Promise.all(checked.map(function (r) { return r.data(); })).then(function (data) {
          if (ticket !== latest) return;
          var ranked = data.map(function (d) {
            var text = d.content || "";
            return { data: d, terms: parsed.terms, exact: parsed.terms.every(function (t) { return has(text, t); }),
                     required: parsed.required.every(function (t) { return has(text, t); }) };
          }).filter(function (r) { return r.required; });
          var exact = ranked.filter(function (r) { return r.exact; });
          var partial = parsed.required.length ? [] : ranked.filter(function (r) { return !r.exact; });
          shown = exact.concat(partial);
          shownCount = 0;
          var rest = parsed.required.length ? [] : results.slice(CHECKED);
          var words = "“" + parsed.terms.join("”“") + "”";
          var note = query !== raw ? "已将“" + raw + "”转为简体“" + query + "”检索。" : "";
          if (!shown.length && !rest.length) {
            status.textContent = note + "没有找到" + words + "。";
            return;
          }
          status.textContent = note + "找到 " + exact.length + " 个含" + words + "的页面" +
            (partial.length ? "，另有 " + partial.length + " 个页面只含其中的词（排在后面）" : "") +
            (rest.length ? "；相关度较低的 " + rest.length + " 个页面未列出" : "") + "。";
          showMore();
        });
      });
    });
  }

  var timer = null;
  input.addEventListener("focus", load, { once: true });
  select.addEventListener("focus", load, { once: true });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  select.addEventListener("change", search);
  more.addEventListener("click", showMore);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  /* Under `mkdocs serve` only (the page then carries #search-stale): while the index is being
     rebuilt after an edit, search/status.json says so and a notice is shown; checked every second
     until the index is fresh again. */
  var stale = document.getElementById("search-stale");
  if (stale) {
    var statusUrl = new URL(stale.getAttribute("data-status"), location.href).href;
    var wasStale = false;
    var check = function () {
      fetch(statusUrl, { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && s.stale) {
            wasStale = wasStale || loading !== null;
            stale.textContent = s.failed ? "搜索索引未能更新（见 mkdocs serve 的输出），检索结果可能不含最近的修改。"
                                         : "搜索索引正在更新…检索结果可能不含最近的修改。";
            stale.hidden = false;
            setTimeout(check, 1000);
          } else if (wasStale) {
            stale.textContent = "搜索索引已更新，重新载入本页即可检索最新内容。";
            stale.hidden = false;
          } else {
            stale.hidden = true;
          }
        }).catch(function () { setTimeout(check, 3000); });
    };
    check();
  }
  var initial = new URLSearchParams(location.search);
  if (initial.get("q")) {                 // arrived from a submitted form, the header box or a shared link
    input.value = initial.get("q");
    search();
  }
})();
