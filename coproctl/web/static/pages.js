/* The owners' pages: a small script, never required (every rule is checked again by the
   server). It moves the focus to the error summary, checks the four password rules as the
   owner types (announced politely to screen readers), and shows or hides passwords. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }

  var RULES = {
    length: function (v) { return Array.from(v.normalize("NFKC")).length >= 8; },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); }
  };

  document.querySelectorAll("[data-rules-for]").forEach(function (box) {
    var input = document.getElementById(box.getAttribute("data-rules-for"));
    var report = box.querySelector("#regles-bilan");
    if (!input) { return; }
    var items = box.querySelectorAll("[data-rule]");
    var timer = null;
    function check() {
      var met = 0;
      items.forEach(function (item) {
        var ok = RULES[item.getAttribute("data-rule")](input.value);
        item.classList.toggle("regle-ok", ok);
        item.querySelector(".etat-regle").textContent = ok ? " (respectée)" : " (à respecter)";
        if (ok) { met += 1; }
      });
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (report) {
          report.textContent = met === items.length
            ? "Les 4\u00a0règles sont respectées."
            : met + "\u00a0règle" + (met > 1 ? "s" : "") + " sur 4 respectée" + (met > 1 ? "s" : "") + ".";
        }
      }, 600);
    }
    input.addEventListener("input", check);
    check();
    if (report) { report.textContent = ""; }
  });

  document.querySelectorAll("[data-show-for]").forEach(function (box) {
    var toggle = box.querySelector("input[type=checkbox]");
    var fields = box.getAttribute("data-show-for").split(" ")
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    box.hidden = false;
    toggle.addEventListener("change", function () {
      fields.forEach(function (field) { field.type = toggle.checked ? "text" : "password"; });
    });
  });
}());
