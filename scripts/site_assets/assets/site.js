// Article pages: selecting a highlight lists the fields of every annotation at that point
// (innermost first); a link to #<id> selects that annotation on load. No network, no library.
(function () {
  "use strict";
  var data = document.getElementById("annotations");
  var panel = document.getElementById("details");
  if (!data || !panel) { return; }
  var annotations = JSON.parse(data.textContent);
  var KIND_TITLES = { quote: "Quote", statistic: "Statistic", mention: "Mention" };

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function section(id) {
    var item = annotations[id];
    var wrapper = element("section", undefined, "detail " + item.kind);
    wrapper.setAttribute("data-id", id);
    var heading = element("h3");
    var link = element("a", KIND_TITLES[item.kind] + " " + id);
    link.href = "#" + id;
    heading.appendChild(link);
    wrapper.appendChild(heading);
    var list = element("dl");
    item.fields.forEach(function (field) {
      list.appendChild(element("dt", field.label));
      var value = element("dd");
      if (field.link) {
        var a = element("a", field.value);
        a.href = field.link;
        value.appendChild(a);
      } else {
        value.textContent = field.value;
      }
      list.appendChild(value);
    });
    list.appendChild(element("dt", "Offsets"));
    list.appendChild(element("dd", item.start + "–" + item.end));
    wrapper.appendChild(list);
    return wrapper;
  }

  function show(target) {
    var ids = [];
    var node = target;
    Array.prototype.forEach.call(document.querySelectorAll("mark.selected"), function (m) {
      m.classList.remove("selected");
    });
    while (node && node !== document.body) {
      if (node.nodeName === "MARK" && node.hasAttribute("data-id")) {
        var id = node.getAttribute("data-id");
        if (ids.indexOf(id) < 0 && annotations[id]) { ids.push(id); }
        node.classList.add("selected");
      }
      node = node.parentNode;
    }
    if (!ids.length) { return; }
    panel.textContent = "";
    ids.forEach(function (id) { panel.appendChild(section(id)); });
  }

  document.getElementById("text").addEventListener("click", function (event) { show(event.target); });

  function fromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.nodeName === "MARK") { show(target); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());
