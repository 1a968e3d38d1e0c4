"""What the site generates for readers, checked without a browser (the browser tests check the result).

Counter-examples carry Material's `no-copy` class and say why; the phone layout of the deployment
diagram says what the wide one says; contributors' pages are demoted in search.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from snippetguard import sitecontent
from snippetguard.docsite import INSECURE_ADMONITION_RE
from snippetguard.embed import load

from conftest import ROOT

DOCS = ROOT / "docs"
SVG = "{http://www.w3.org/2000/svg}"


def test_a_counter_example_has_no_copy_button_and_says_so() -> None:
    loaded = load(DOCS / "snippets", "compose/db-exposed.yml")
    block = sitecontent.insecure_block(loaded, "security/database.md", title="Do not use: x")
    first = block.strip().split("\n", 1)[0]
    assert first == '!!! insecure no-copy "Do not use: x"'
    assert sitecontent.NO_COPY_NOTE in block
    assert INSECURE_ADMONITION_RE.match(first), "the page linter must still see the box as a counter-example"


def test_the_rules_reference_shows_insecure_examples_without_copy_button() -> None:
    page = sitecontent.rules_reference("reference/rules.md")
    boxes = re.findall(r'^!!! (.*?) "Insecure: triggers SG\d{3}"$', page, flags=re.M)
    assert len(boxes) >= 40 and set(boxes) == {"insecure no-copy"}, set(boxes)


def _texts(name: str) -> list[str]:
    root = ET.parse(DOCS / "assets" / "diagrams" / name).getroot()
    return [(t.text or "").strip() for t in root.iter(f"{SVG}text")]


def test_the_phone_diagram_says_what_the_wide_one_says() -> None:
    wide, narrow = _texts("deployment-options.svg"), _texts("deployment-options-narrow.svg")
    facts = ["3001 open on the LAN", "3001 open on the tailnet", "3001 on 127.0.0.1 only", "443 open (HTTPS)",
             "80 open (redirect)", "Reverse proxy (Caddy, nginx)", "Encrypted tailnet"]
    for fact in facts:
        assert fact in wide and fact in narrow, fact
    assert wide.count("5432 never published") == narrow.count("5432 never published") == 3
    assert [t for t in wide if t.startswith(("1.", "2.", "3."))] == [t for t in narrow if t.startswith(("1.", "2.", "3."))]


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    return yaml.safe_load(text.split("---\n", 2)[1]) or {}


def test_contributor_pages_rank_below_the_guide_in_search() -> None:
    for rel in ("reference/rules.md", "contributing.md"):
        assert _front_matter(DOCS / rel)["search"]["boost"] < 0.01, rel
    assert _front_matter(DOCS / "index.md")["search"]["boost"] > 1
