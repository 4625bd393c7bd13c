/* Inscrire — dossiers: conditions and repeated groups in the browser.
 * Comfort only: the server decides again what is shown, required and kept.
 * Conditions are evaluated by conditions.js (the rules of forms/conditions.py). */
(function () {
  "use strict";

  var norm = window.InscrireConditions.norm;

  function tokens(form, name) {
    var out = [];
    form.querySelectorAll("[name]").forEach(function (el) {
      if (el.name !== name || el.disabled) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { out.push(el.type === "checkbox" && el.value === "on" ? "oui" : norm(el.value)); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push(norm(o.value)); });
      } else if (el.type !== "file" && el.value.trim() !== "") {
        out.push(norm(el.value));
      }
    });
    return out;
  }

  // data-condition: {condition, known}: the answers of earlier steps come as
  // words (known), those of this step are read from the page.
  function conditionMet(form, data) {
    var known = data.known || {};
    return window.InscrireConditions.conditionMet(data.condition, function (field) {
      return Object.prototype.hasOwnProperty.call(known, field) ? known[field] : tokens(form, field);
    });
  }

  function applyConditions(form) {
    // Conditions only name questions placed before them: one pass in
    // document order sees every hidden question already disabled.
    form.querySelectorAll("[data-condition]").forEach(function (item) {
      var show = conditionMet(form, JSON.parse(item.getAttribute("data-condition")));
      item.hidden = !show;
      item.querySelectorAll("input, select, textarea, button").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }

  function renumber(group) {
    var name = group.getAttribute("data-group");
    var pattern = new RegExp("^(id_)?" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-(\\d+|__index__)-");
    var rows = group.querySelectorAll("[data-group-rows] > [data-group-row]");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, "$1" + name + "-" + index + "-"));
          }
        });
      });
      var number = row.querySelector("[data-group-number]");
      if (number) { number.textContent = String(index + 1); }
    });
    group.querySelector("[data-group-count]").value = String(rows.length);
    var max = parseInt(group.getAttribute("data-max"), 10);
    var add = group.querySelector("[data-group-add]");
    add.hidden = false;
    add.disabled = rows.length >= max;
  }

  function setUpGroup(group) {
    var rows = group.querySelector("[data-group-rows]");
    var template = group.querySelector("[data-group-template]");
    group.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-group-add]")) {
        var max = parseInt(group.getAttribute("data-max"), 10);
        if (rows.children.length >= max) { return; }
        rows.appendChild(template.content.cloneNode(true));
        renumber(group);
        var first = rows.lastElementChild.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      } else if (target.matches("[data-group-remove]")) {
        target.closest("[data-group-row]").remove();
        renumber(group);
        group.querySelector("[data-group-add]").focus();
      }
    });
    // The server adds a blank line for browsers without this script; here
    // the « Ajouter » button does that job, so a trailing blank line goes.
    var min = Math.max(parseInt(group.getAttribute("data-min"), 10) || 0, 1);
    var last = rows.lastElementChild;
    if (rows.children.length > min && last && !last.querySelector(".field__error") && isBlank(last)) {
      last.remove();
    }
    renumber(group);
  }

  function isBlank(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, select, textarea"), function (el) {
      if (el.type === "radio" || el.type === "checkbox") { return !el.checked; }
      return el.value.trim() === "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-dossier]").forEach(function (form) {
      form.querySelectorAll("[data-group]").forEach(setUpGroup);
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
      form.addEventListener("input", function () { applyConditions(form); });
    });
  });
})();
