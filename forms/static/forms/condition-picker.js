/* Inscrire — the condition picker of the page editor (issue 17).
 *
 * A condition's clause names a question and a value. Rather than typing
 * them, the editor picks the question from the questions placed before the
 * clause (for a stage of the procedure: every question of the form), and,
 * for a yes/no or a choice question, the value from its answers. The
 * clause's own text inputs stay the fields that are posted: the picker
 * writes into them, so the server checks exactly what it always did.
 *
 * Wagtail builds StreamField blocks in the browser, and editors add clauses
 * and questions as they go: clauses are found as they appear (a
 * MutationObserver), and the lists are read again each time they open.
 */
(function () {
  "use strict";

  var CLAUSE_FIELD = /-condition-clauses-\d+-value-field$/;
  var WITH_ANSWERS = { yesno: ["Oui", "Non"], consent: ["Oui"] };
  var PICKS_A_VALUE = { equals: true, not_equals: true };

  var texts = null;

  /* The picker's words, translated by the server (forms/wagtail_hooks.py, a JSON script element). */
  function text(key) {
    if (texts === null) {
      var element = document.getElementById("condition-picker-texts");
      texts = element ? JSON.parse(element.textContent) : {};
    }
    return texts[key] || key;
  }

  function hidden(name) {
    return document.querySelector('input[type="hidden"][name="' + name + '"]');
  }

  /* The questions of the form stream, in the order of the page: [{name, label, type, choices, element}]. */
  function formQuestions() {
    var found = [];
    document.querySelectorAll('input[id^="form-"][id$="-value-label"]').forEach(function (label) {
      var value = label.id.slice(0, -"-label".length);            // form-0-value-fields-2-value
      if ((value.match(/-fields-/g) || []).length !== 1) { return; } // a question in a group, or not a question
      var block = value.replace(/-value$/, "");                     // form-0-value-fields-2
      var type = hidden(block + "-type");
      if (!type || type.value === "group" || (hidden(block + "-deleted") || {}).value === "1") { return; }
      var name = document.getElementById(value + "-name");
      var choices = document.getElementById(value + "-choices");
      found.push({
        name: (name && name.value.trim()) || label.value.trim(),
        label: label.value.trim() || (name && name.value.trim()) || "",
        type: type.value,
        choices: WITH_ANSWERS[type.value] || (choices ? choices.value.split("\n").map(function (c) {
          return c.trim();
        }).filter(Boolean) : null),
        prefix: value,
        element: label,
      });
    });
    return found;
  }

  /* The questions a clause may name: placed before it, not its own question. */
  function questionsBefore(input) {
    var ofStage = input.id.indexOf("stages-") === 0;
    return formQuestions().filter(function (question) {
      if (!question.label) { return false; }
      if (ofStage) { return true; }
      if (input.id.indexOf(question.prefix + "-") === 0) { return false; }
      return Boolean(question.element.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
  }

  function same(a, b) {
    return String(a).trim().toLowerCase() === String(b).trim().toLowerCase();
  }

  function fill(select, options, current, placeholder) {
    select.innerHTML = "";
    select.appendChild(new Option(placeholder, ""));
    var matched = false;
    options.forEach(function (option) {
      var isCurrent = Boolean(current) && !matched && (same(option.value, current) || same(option.text, current));
      matched = matched || isCurrent;
      select.appendChild(new Option(option.text, option.value, isCurrent, isCurrent));
    });
    if (current && !matched) {
      select.appendChild(new Option("« " + current + " » " + text("missing"), current, true, true));
    }
  }

  /* A select that stands for a text input: labelled as it, writing into it. */
  function standIn(input, id) {
    var select = document.createElement("select");
    select.id = id;
    select.className = "condition-picker";
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      label.dataset.inputFor = input.id;
    }
    input.insertAdjacentElement("afterend", select);
    return select;
  }

  function useSelect(input, select, label, on) {
    input.type = on ? "hidden" : "text";
    select.hidden = !on;
    if (label) { label.htmlFor = on ? select.id : input.id; }
  }

  function enhance(fieldInput) {
    if (fieldInput.dataset.picker) { return; }
    fieldInput.dataset.picker = "1";
    var base = fieldInput.id.slice(0, -"-field".length);          // …-clauses-0-value
    var valueInput = document.getElementById(base + "-value");
    var operator = document.getElementById(base + "-operator");
    var fieldLabel = document.querySelector('label[for="' + fieldInput.id + '"]');
    var valueLabel = valueInput && document.querySelector('label[for="' + valueInput.id + '"]');
    var questionSelect = standIn(fieldInput, fieldInput.id + "-picker");
    var valueSelect = valueInput ? standIn(valueInput, valueInput.id + "-picker") : null;
    useSelect(fieldInput, questionSelect, fieldLabel, true);

    function chosen() {
      var current = fieldInput.value;
      return questionsBefore(fieldInput).filter(function (q) {
        return same(q.name, current) || same(q.label, current);
      })[0];
    }

    function refreshQuestions() {
      fill(questionSelect, questionsBefore(fieldInput).map(function (q) {
        return { value: q.name, text: q.label };
      }), fieldInput.value, text("choose"));
    }

    function refreshValue() {
      if (!valueSelect) { return; }
      var question = chosen();
      var answers = question && question.choices;
      var picks = Boolean(answers && answers.length) && (!operator || PICKS_A_VALUE[operator.value]);
      useSelect(valueInput, valueSelect, valueLabel, picks);
      if (picks) {
        fill(valueSelect, answers.map(function (a) { return { value: a, text: a }; }), valueInput.value,
             text("chooseValue"));
      } else if (question && (question.type === "date" || question.type === "number")) {
        valueInput.inputMode = question.type === "number" ? "decimal" : "text";
        valueInput.placeholder = question.type === "date" ? "14/03/2023" : "3,5";
      }
    }

    refreshQuestions();
    refreshValue();
    // Questions added, renamed or moved since: the list is read again as it opens.
    ["focus", "mousedown"].forEach(function (event) {
      questionSelect.addEventListener(event, refreshQuestions);
    });
    questionSelect.addEventListener("change", function () {
      fieldInput.value = questionSelect.value;
      fieldInput.dispatchEvent(new Event("change", { bubbles: true }));
      // A value the new question cannot have is dropped rather than kept out of sight.
      var question = chosen();
      if (valueInput && question && question.choices && !question.choices.some(function (answer) {
        return same(answer, valueInput.value);
      })) {
        valueInput.value = "";
      }
      refreshValue();
    });
    if (valueSelect) {
      valueSelect.addEventListener("focus", refreshValue);
      valueSelect.addEventListener("change", function () {
        valueInput.value = valueSelect.value;
        valueInput.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    if (operator) { operator.addEventListener("change", refreshValue); }
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('input[id*="-condition-clauses-"]').forEach(function (input) {
      if (CLAUSE_FIELD.test(input.id)) { enhance(input); }
    });
  }

  function start() {
    scan(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) { scan(node); }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
