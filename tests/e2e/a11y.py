"""Accessibility checks with axe-core, injected into the page under test.

axe-core is vendored in ``vendor/axe-core/`` (taken from the npm registry;
see ``vendor/axe-core/VERSION``), so nothing is downloaded at run time. It
runs with its French messages. A page passes when axe finds no violation of
impact « serious » or « critical » — the bar of issue 10, aiming at WCAG 2.1
AA, the level the RGAA asks of French public services. Lesser findings are
kept in the JSON report written beside the screenshots.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from .server import ARTIFACTS_DIR

VENDOR = Path(__file__).resolve().parent / "vendor" / "axe-core"
BLOCKING = ("critical", "serious")


@cache
def _axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


@cache
def _french() -> dict:
    return json.loads((VENDOR / "fr.json").read_text(encoding="utf-8"))


def run_axe(page, *, include: str | None = None) -> dict:
    """Inject axe (once per document) and return its full results for the
    page, or only for the part matching the CSS selector ``include``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's
        # Content-Security-Policy does not govern (an inline <script> would be blocked).
        page.evaluate(_axe_source() + "\n;0")
        page.evaluate("locale => window.axe.configure({ locale })", _french())
    return page.evaluate(
        """async (include) => await window.axe.run(include ? { include: [include] } : document,
                                                    { resultTypes: ['violations'] })""",
        include,
    )


def describe(violations: list[dict]) -> str:
    """Violations as a French reader would want them in a failing test."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']} — {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    • {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
            lines.append(f"      {node['html'][:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … et {len(violation['nodes']) - 10} autres éléments")
    return "\n".join(lines)


def assert_accessible(page, *, name: str | None = None, include: str | None = None) -> dict:
    """Fail when axe finds a serious or critical violation on ``page``.

    ``name`` also writes the full results to ``tests/artifacts/axe/<name>.json``.
    Returns the results, for tests that look further."""
    results = run_axe(page, include=include)
    if name:
        report = ARTIFACTS_DIR / "axe" / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    blocking = [v for v in results["violations"] if v.get("impact") in BLOCKING]
    if blocking:
        raise AssertionError(
            f"axe-core {results['testEngine']['version']} : {len(blocking)} violation(s) grave(s) ou critique(s) "
            f"sur {page.url}\n{describe(blocking)}"
        )
    return results
