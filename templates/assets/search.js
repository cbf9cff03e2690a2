/* Plansite search page: loads the Pagefind index only when the reader starts using the box
   (first focus or input), then searches all plans, optionally filtered by plan. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = new URL("../", script.src);           // the site root: this file is assets/search.js
  var form = document.querySelector("form.search");
  var input = document.getElementById("q");
  var select = document.getElementById("plan");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var loading = null;
  var latest = 0;

  function load() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: root.pathname, excerptLength: 40 }).then(function () {
          /* an index of many plans comes in shards: merge the other bundles listed in shards.json */
          return fetch(new URL("pagefind/shards.json", root)).then(function (r) { return r.ok ? r.json() : { bundles: [] }; })
            .then(function (s) { return Promise.all(s.bundles.map(function (b) {
              return pagefind.mergeIndex(new URL("pagefind/" + b, root).pathname, { baseUrl: root.pathname });
            })); });
        }).then(function () {
          return pagefind.filters();
        }).then(function (filters) {
          var plans = Object.keys((filters && filters.plan) || {}).sort();
          var wanted = new URLSearchParams(location.search).get("plan") || select.value;
          plans.forEach(function (name) {
            var option = document.createElement("option");
            option.value = name;
            option.textContent = name;
            if (name === wanted) option.selected = true;
            select.appendChild(option);
          });
          return pagefind;
        });
      }).catch(function (error) {
        loading = null;
        status.textContent = "检索索引加载失败：" + error;
        throw error;
      });
    }
    return loading;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function excerpt(html) {
    /* Pagefind's excerpts are escaped text with <mark> around the hits: keep only those marks. */
    var p = el("p", "excerpt");
    var parts = html.split(/<\/?mark>/);
    parts.forEach(function (part, i) {
      var text = new DOMParser().parseFromString(part, "text/html").documentElement.textContent;
      p.appendChild(i % 2 ? el("mark", "", text) : document.createTextNode(text));
    });
    return p;
  }

  function render(results, query) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = el("li", "result");
      var plan = (r.meta && r.meta.plan) || ((r.filters && r.filters.plan) || [])[0] || "";
      li.appendChild(el("p", "result-plan", plan));
      var h = el("h2", "result-title");
      var a = el("a", "", (r.meta && r.meta.title) || r.url);
      a.href = r.url;
      h.appendChild(a);
      li.appendChild(h);
      var title = ((r.meta && r.meta.title) || "").replace(/\s+/g, "");
      var subs = (r.sub_results || []).filter(function (s) {
        return s.url.indexOf("#") > 0 && s.title.replace(/\s+/g, "") !== title;   // the chapter heading itself: shown as the title
      });
      if (subs.length) {
        var ul = el("ul", "sub-results");
        subs.slice(0, 3).forEach(function (s) {
          var item = el("li");
          var link = el("a", "", s.title);
          link.href = s.url;
          item.appendChild(link);
          item.appendChild(excerpt(s.excerpt));
          ul.appendChild(item);
        });
        li.appendChild(ul);
      } else {
        li.appendChild(excerpt(r.excerpt));
      }
      list.appendChild(li);
    });
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++latest;
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (select.value) params.set("plan", select.value);
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      return;
    }
    status.textContent = "正在检索…";
    load().then(function (pagefind) {
      var options = select.value ? { filters: { plan: select.value } } : {};
      return pagefind.search(query, options);
    }).then(function (found) {
      if (ticket !== latest) return null;
      return Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (data) {
        if (ticket !== latest) return;
        render(data, query);
        status.textContent = found.results.length
          ? "找到 " + found.results.length + " 个相关页面" + (found.results.length > 20 ? "，显示前 20 个" : "") + "。"
          : "没有找到“" + query + "”。";
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
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  var initial = new URLSearchParams(location.search);
  if (initial.get("q")) {                 // arrived from a submitted form or a shared link
    input.value = initial.get("q");
    search();
  }
})();
