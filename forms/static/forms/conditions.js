/* Inscrire — the conditions' evaluator in the browser: the same rules as
 * forms/conditions.py (a property test feeds both the same random answers).
 * A condition is {match: "all"|"any", clauses: [{field, op, value, value2}]},
 * or one clause alone (definitions written before clauses existed). */
(function (root) {
  "use strict";

  var NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;
  var ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var FRENCH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

  function norm(value) {
    return String(value).trim().split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  }

  function clausesOf(condition) {
    if (!condition) { return ["all", []]; }
    if (condition.clauses) {
      return [condition.match || "all", condition.clauses.filter(function (c) { return c && c.field; })];
    }
    return ["all", condition.field ? [condition] : []];
  }

  function fieldsOf(condition) {
    return clausesOf(condition)[1].map(function (clause) { return clause.field; });
  }

  function stripLeft(text, ch) { var i = 0; while (i < text.length && text[i] === ch) { i++; } return text.slice(i); }
  function stripRight(text, ch) { var i = text.length; while (i > 0 && text[i - 1] === ch) { i--; } return text.slice(0, i); }

  // ["n", [sign, whole, fraction]] or ["d", [year, month, day]] or null: exact, no floating point.
  function comparable(text) {
    text = String(text).split(/\s+/).join("");
    var m = ISO_DATE.exec(text);
    if (m) { return ["d", [parseInt(m[1], 10), parseInt(m[2], 10), parseInt(m[3], 10)]]; }
    m = FRENCH_DATE.exec(text);
    if (m) { return ["d", [parseInt(m[3], 10), parseInt(m[2], 10), parseInt(m[1], 10)]]; }
    if (NUMBER.test(text)) {
      var sign = text.charAt(0) === "-" ? -1 : 1;
      var digits = text.replace(/^[+-]/, "").replace(",", ".");
      var dot = digits.indexOf(".");
      var whole = stripLeft(dot === -1 ? digits : digits.slice(0, dot), "0");
      var fraction = stripRight(dot === -1 ? "" : digits.slice(dot + 1), "0");
      if (!whole && !fraction) { sign = 1; }
      return ["n", [sign, whole, fraction]];
    }
    return null;
  }

  function cmp(a, b) { return a > b ? 1 : (a < b ? -1 : 0); }

  function compare(a, b) {
    if (a[0] === "d") {
      return cmp(a[1][0], b[1][0]) || cmp(a[1][1], b[1][1]) || cmp(a[1][2], b[1][2]);
    }
    var sa = a[1][0], wa = a[1][1], fa = a[1][2], sb = b[1][0], wb = b[1][1], fb = b[1][2];
    if (sa !== sb) { return sa > sb ? 1 : -1; }
    var magnitude = cmp(wa.length, wb.length) || cmp(wa, wb);
    if (!magnitude) {
      var length = Math.max(fa.length, fb.length);
      while (fa.length < length) { fa += "0"; }
      while (fb.length < length) { fb += "0"; }
      magnitude = cmp(fa, fb);
    }
    return magnitude * sa;
  }

  function clauseMet(clause, tokens) {
    var op = clause.op || "equals";
    if (op === "filled") { return tokens.length > 0; }
    if (op === "greater" || op === "less" || op === "between") {
      var low = comparable(clause.value || "");
      var high = op === "between" ? comparable(clause.value2 || "") : null;
      if (low === null || (op === "between" && (high === null || high[0] !== low[0]))) { return false; }
      for (var i = 0; i < tokens.length; i++) {
        var found = comparable(tokens[i]);
        if (found === null || found[0] !== low[0]) { continue; }
        if (op === "greater" && compare(found, low) > 0) { return true; }
        if (op === "less" && compare(found, low) < 0) { return true; }
        if (op === "between" && compare(found, low) >= 0 && compare(found, high) <= 0) { return true; }
      }
      return false;
    }
    var expected = norm(clause.value || "");
    if (op === "not_equals") { return tokens.indexOf(expected) === -1; }
    return tokens.indexOf(expected) !== -1;
  }

  // tokensFor(field) gives the answer of a question as normalised words.
  function conditionMet(condition, tokensFor) {
    var parts = clausesOf(condition);
    if (!parts[1].length) { return true; }
    var results = parts[1].map(function (clause) { return clauseMet(clause, tokensFor(clause.field)); });
    return parts[0] === "any" ? results.some(Boolean) : results.every(Boolean);
  }

  root.InscrireConditions = {
    norm: norm, clausesOf: clausesOf, fieldsOf: fieldsOf, comparable: comparable,
    clauseMet: clauseMet, conditionMet: conditionMet
  };
})(window);
