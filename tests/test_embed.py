"""The snippet macro's engine: whole files, regions, titles, errors, verbatim text, nested fences."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from snippetguard.embed import EmbedError, fence, load
from snippetguard.markdown import find_fences
from snippetguard.sitecontent import embed_block

STACK = (
    "# --8<-- [start:postgres]\n"
    "services:\n"
    "  postgres:\n"
    "    image: postgres:15-alpine\n"
    "# --8<-- [end:postgres]\n"
)


@pytest.fixture
def snippets(tmp_path: Path) -> Path:
    root = tmp_path / "snippets"
    (root / "compose").mkdir(parents=True)
    (root / "compose" / "stack.yml").write_text(STACK)
    (root / "shell").mkdir()
    (root / "shell" / "names.sh").write_text("docker ps --format '{{.Names}}'\n{% raw %}{{ evil }}{% endraw %}\n")
    (root / "shell" / "fences.sh").write_text("cat <<'EOF'\n```yaml\nkey: value\n```\n````\nEOF\n")
    (tmp_path / "secret.yml").write_text("services: {}\n")
    return root


def test_whole_file_without_markers(snippets: Path) -> None:
    loaded = load(snippets, "compose/stack.yml")
    assert "--8<--" not in loaded.text
    assert loaded.text.startswith("services:")
    assert loaded.kind == "compose" and loaded.first_line == 1


def test_region_and_its_first_line(snippets: Path) -> None:
    loaded = load(snippets, "compose/stack.yml", region="postgres")
    assert loaded.text == "services:\n  postgres:\n    image: postgres:15-alpine"
    assert loaded.first_line == 2


def test_title_and_highlight_in_fence(snippets: Path) -> None:
    block = embed_block(load(snippets, "compose/stack.yml"), "security/database.md", title="docker-compose.yml", hl_lines="2")
    assert '```yaml title="docker-compose.yml" hl_lines="2"' in block
    assert "../snippets/compose/stack.yml" in block  # download link, relative to the page


@pytest.mark.parametrize(
    ("path", "region", "message"),
    [
        ("compose/missing.yml", None, "does not exist"),
        ("compose/stack.yml", "nope", "region 'nope' not found (regions in this file: postgres)"),
        ("../secret.yml", None, "contains '..'"),
        ("compose/../../secret.yml", None, "contains '..'"),
        ("/etc/passwd", None, "is absolute"),
        ("", None, "empty"),
    ],
)
def test_errors_are_sentences(snippets: Path, path: str, region: str | None, message: str) -> None:
    with pytest.raises(EmbedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(snippets, path, region)


def test_symlink_leaving_the_folder_is_refused(snippets: Path) -> None:
    os.symlink(snippets.parent / "secret.yml", snippets / "compose" / "escape.yml")
    with pytest.raises(EmbedError, match="outside docs/snippets/"):
        load(snippets, "compose/escape.yml")


def test_unterminated_region(snippets: Path) -> None:
    (snippets / "compose" / "open.yml").write_text("# --8<-- [start:a]\nservices: {}\n")
    with pytest.raises(EmbedError, match="no '\\[end:a\\]' marker"):
        load(snippets, "compose/open.yml", "a")


def test_jinja_like_text_is_verbatim(snippets: Path) -> None:
    loaded = load(snippets, "shell/names.sh")
    assert "{{.Names}}" in loaded.text and "{% raw %}{{ evil }}{% endraw %}" in loaded.text


def test_nested_fences_stay_one_block(snippets: Path) -> None:
    loaded = load(snippets, "shell/fences.sh")
    block = fence(loaded.text, "bash")
    assert block.startswith("`````bash")
    (found,) = find_fences(block)
    assert found.text == loaded.text


def test_indented_fence_round_trips() -> None:
    text = "line one\n\n  indented"
    (found,) = find_fences("!!! note\n" + fence(text, "bash", indent="    "))
    assert found.text == text and found.lang == "bash"


def test_counter_example_declaration_is_hidden(snippets: Path) -> None:
    (snippets / "compose" / "bad.yml").write_text("# snippetguard: expect[SG101] demo\nservices: {}\n")
    loaded = load(snippets, "compose/bad.yml")
    assert loaded.expect == ("SG101",) and "snippetguard" not in loaded.text
