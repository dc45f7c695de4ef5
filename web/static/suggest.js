// Suggestions as you type, for every input bound to the #suggestions datalist. Pages work without it.
(function () {
  const list = document.getElementById("suggestions");
  if (!list) return;
  let timer = null;
  let last = "";
  function fill(items) {
    list.replaceChildren(...items.map(function (item) {
      const option = document.createElement("option");
      option.value = item.label;
      option.label = item.type;
      option.dataset.url = item.url || "";
      return option;
    }));
  }
  document.querySelectorAll('input[list="suggestions"]').forEach(function (input) {
    input.addEventListener("input", function () {
      const q = input.value.trim();
      const chosen = Array.from(list.options).find(function (o) { return o.value === input.value; });
      if (chosen && chosen.dataset.url && input.id === "q") { window.location.href = chosen.dataset.url; return; }
      if (q.length < 2 || q === last) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch("/suggestions?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(fill)
          .catch(function () {});
      }, 120);
    });
  });
})();
