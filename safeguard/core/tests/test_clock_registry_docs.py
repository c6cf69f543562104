"""Every registered clock is listed on the docs' registry page, by its stable name."""

from pathlib import Path

from safeguard.core.clocks import REGISTRY

DOCS = Path(__file__).resolve().parents[3] / "docs" / "clocks.md"


def test_the_registry_page_lists_every_clock():
    page = DOCS.read_text()
    assert REGISTRY, "no clocks registered: the apps' ready() did not run"
    missing = [name for name in REGISTRY if f"`{name}`" not in page]
    assert not missing, f"add these clocks to docs/clocks.md: {missing}"
