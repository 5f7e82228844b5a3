"""Accessibility checks with axe-core (from npm: `npm ci` puts it in node_modules/).

`check_a11y(page)` runs axe on whatever the page shows now and fails the test
with every violation of impact "serious" or "critical" against WCAG 2.0/2.1
A and AA. Call it on every page a journey visits, and again after anything
that changes the page (an htmx swap, an opened dialog, a form with errors).

How axe gets into the page: the app sends a strict Content-Security-Policy
(`script-src 'self'`, no 'unsafe-inline'). `page.add_script_tag(path=...)`
inserts the file as an inline <script>, which that policy blocks (tried:
"Executing inline script violates the following Content Security Policy
directive 'script-src 'self''"), and `bypass_csp=True` would switch the
app's CSP off for the whole test, hiding exactly the inline-script and
inline-handler bugs the policy exists to catch. So we evaluate the file's text
through the DevTools protocol (`page.evaluate`): code run that way is not
subject to the page's CSP, while the app's own scripts still are.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@cache
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_PATH.relative_to(REPO_ROOT)} is missing): "
            "run npm ci (or make test-e2e) in the repository root",
            pytrace=False,
        )
    # Wrapped in a function so the evaluated text is one expression; axe's UMD
    # wrapper then sets window.axe because there is no module/define in a page.
    return "() => {\n" + AXE_PATH.read_text(encoding="utf-8") + "\n;return typeof window.axe;}"


def inject_axe(page) -> None:
    if page.evaluate("() => typeof window.axe") == "object":
        return
    kind = page.evaluate(axe_source())
    if kind != "object":
        pytest.fail(f"axe-core did not load into the page (window.axe is {kind})", pytrace=False)


def run_axe(page, context: str | None = None) -> dict:
    """Run axe on `context` (a CSS selector) or the whole document; return axe's result."""
    inject_axe(page)
    return page.evaluate(
        """async ([selector, tags]) => {
            const context = selector ? document.querySelector(selector) : document;
            return await window.axe.run(context, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            });
        }""",
        [context, WCAG_TAGS],
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(
                ">".join(t) if isinstance(t, list) else str(t) for t in node["target"]
            )
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip()
            for detail in summary.splitlines():
                lines.append(f"       {detail.strip()}")
    return "\n".join(lines)


def check_a11y(page, context: str | None = None) -> list[dict]:
    """Fail the test if axe finds serious or critical WCAG 2.1 AA violations.

    Returns the minor and moderate ones, for a test that wants to look at them.
    """
    result = run_axe(page, context)
    blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"Accessibility violations on {page.url}"
            f"{' in ' + context if context else ''}:\n{format_violations(blocking)}",
            pytrace=False,
        )
    return [v for v in result["violations"] if v.get("impact") not in BLOCKING_IMPACTS]
