"""Every main page, in light and dark, checked by axe-core and for console errors.

axe-core (installed by scripts/test-deps) is evaluated into each page through the DevTools
protocol (``page.evaluate``), which the pages' Content-Security-Policy does not govern: the
pages are checked under their real CSP, no ``bypass_csp``. axe runs at phone size (412 x 900)
in both colour schemes and at desktop size (1280 x 900) in the light one. A violation of impact
``serious`` or ``critical`` fails; every violation found, lesser ones too, is written to
``artifacts/axe/PAGE-SCHEME.json`` for review. Screenshots go to ``artifacts/screenshots/``:
the whole page at phone size and the first screen at desktop size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import DESKTOP, QUIET_PLUGIN, ROOT, screenshot
from tests.e2e.live import LiveServer, serving

pytestmark = [pytest.mark.e2e, QUIET_PLUGIN]

AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "artifacts" / "axe"
FAILING_IMPACTS = frozenset({"serious", "critical"})
Scheme = Literal["light", "dark"]

PAGES = {
    "home": "/",
    "screen": "/screen",
    "plan": "/plan?minutes=10&place=home",
    "exercises": "/exercises",
    "exercise": "/exercises/cat-cow",
    "programs": "/programs",
    "program": "/programs/three-for-relief",
    "player": "/player?program=three-for-relief",
    "history": "/history",
    "week": "/week?minutes=10&place=home",
    "checkin": "/checkin",
    "export": "/export",
    "guide": "/guide",
    "guide-page": "/guide/how-to-stretch",
    "about": "/about",
    "start": "/start",
    "breaks": "/breaks",
}
"""Name (for test ids and screenshots) -> path. The player is checked before it starts."""

KNOWN_AXE_PROBLEMS: dict[tuple[str, str], str] = {}
"""(page, scheme) -> why its axe check is expected to fail (each a finding to fix)."""

KNOWN_CONSOLE_PROBLEMS: dict[str, str] = {}
"""Page -> why its console check is expected to fail (each a finding to fix)."""


def _xfail(reason: str | None) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


SCHEMES: list[Scheme] = ["light", "dark"]
AXE_CASES = [
    pytest.param(
        name, scheme, id=f"{name}-{scheme}", marks=_xfail(KNOWN_AXE_PROBLEMS.get((name, scheme)))
    )
    for name in PAGES
    for scheme in SCHEMES
]
CONSOLE_CASES = [
    pytest.param(name, id=name, marks=_xfail(KNOWN_CONSOLE_PROBLEMS.get(name))) for name in PAGES
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with a little history, so /history shows its chart and tables."""
    with serving(tmp_path_factory.mktemp("a11y")) as server:
        server.post(
            "/api/v1/screen",
            {"age": 45, "pain_now": 4, "pain_duration_days": 10, "improving": True,
             "assessed_by_clinician": False, "red_flags": [], "conditions": []},
        )  # fmt: skip
        server.post("/api/v1/checkins", {"pain": 4, "stiffness": 3})
        started = server.post(
            "/api/v1/sessions", {"program_id": "three-for-relief", "pain_before": 4}
        )
        session = started["session"]["id"]
        for position, status in enumerate(["completed", "skipped", "completed"]):
            server.post(
                f"/api/v1/sessions/{session}/logs",
                {"position": position, "status": status, "idempotency_key": f"seed-log-{position}"},
            )
        server.post(
            f"/api/v1/sessions/{session}/finish",
            {"status": "completed", "pain_after": 3, "effort": 4, "note": "seeded"},
        )
        yield server


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test-deps (./dev test does)")
    return AXE.read_text(encoding="utf-8")


def _axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (rule, impact, help and nodes)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html,
                                            summary: n.failureSummary})),
            }));
        }"""
    )
    return violations


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v['width']}]")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


# No service worker here: it adds only the offline cache, and installing it in every new context
# costs a third of this test's time. The console check below keeps it.
@pytest.mark.browser_context_args(service_workers="block")
@pytest.mark.parametrize(("name", "scheme"), AXE_CASES)
def test_the_page_has_no_serious_accessibility_problems(
    page: Page, site: LiveServer, axe_source: str, name: str, scheme: Scheme
) -> None:
    page.emulate_media(color_scheme=scheme)
    response = page.goto(site.url + PAGES[name])
    assert response is not None and response.status == 200, PAGES[name]
    screenshot(page, f"page-{name}-{scheme}-phone")
    found = [{**v, "width": "phone"} for v in _axe_violations(page, axe_source)]
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"page-{name}-{scheme}-desktop", full_page=False)
    if scheme == "light":  # the layout changes with the width; the colours do not
        found += [{**v, "width": "desktop"} for v in _axe_violations(page, axe_source)]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}-{scheme}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    serious = [v for v in found if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"axe on {PAGES[name]} ({scheme}):\n{_describe(serious)}"


@pytest.mark.parametrize("name", CONSOLE_CASES)
def test_the_page_logs_no_console_errors(
    page: Page, console_errors: list[str], site: LiveServer, name: str
) -> None:
    page.goto(site.url + PAGES[name], wait_until="networkidle")
    assert console_errors == []
