"""Every registered clock is listed on the docs' registry page, by its stable name."""

from pathlib import Path

from safeguard.core.clocks import REGISTRY

DOCS = Path(__file__).resolve().parents[3] / "docs" / "clocks.md"


def test_the_registry_page_lists_every_clock():
    page = DOCS.read_text()
    assert REGISTRY, "no clocks registered: the apps' ready() did not run"
    missing = [name for name in REGISTRY if f"`{name}`" not in page]
    assert not missing, f"add these clocks to docs/clocks.md: {missing}"


ROOT = DOCS.parents[1]


def _test_names() -> set[str]:
    names = set()
    for path in (ROOT / "safeguard").glob("*/tests/test_*.py"):
        for line in path.read_text().splitlines():
            if line.startswith("def test_clock_start_"):
                names.add(line.split("(")[0].removeprefix("def "))
    return names


def test_every_clock_has_a_test_that_it_starts_at_its_documented_event():
    """docs/clocks.md says what starts each clock (the time a child was reported missing, the
    referral received); a test per clock checks it is that event, never the time of saving."""
    tests = _test_names()
    untested = [
        name
        for name in REGISTRY
        if not any(t.startswith(f"test_clock_start_{name.replace('.', '_')}") for t in tests)
    ]
    assert not untested, f"write test_clock_start_<name> for: {untested}"
