"""The site as a whole: it builds strictly, and every way of publishing an insecure example fails it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import IN_CI, ROOT, build, copy_site

pytestmark = pytest.mark.slow

THIRD_PARTY = re.compile(r"fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr|unpkg\.com|cdnjs|googletagmanager|google-analytics")
RESOURCE_ATTR = re.compile(r"<(script|img|link|iframe|source|audio|video|embed|object)\b[^>]*?\b(src|href|data)=\"([^\"]+)\"", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(tmp_path_factory.mktemp("real-site"))
    proc = build(site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    # Outside CI the only warning allowed is a distribution's nginx or Caddy that is not installed.
    allowed = [] if IN_CI else [w for w in warnings if "(the oldest supported version) not found" in w]
    assert warnings == allowed, proc.stderr
    return site / "site"


def test_strict_build_is_clean(built: Path) -> None:
    assert (built / "security" / "index.html").is_file()
    assert (built / "reference" / "rules" / "index.html").is_file()


def test_no_request_to_a_third_party_host(built: Path) -> None:
    offenders = []
    for path in built.rglob("*"):
        if path.suffix not in (".html", ".css", ".js", ".svg", ".xml", ".json") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html" and 'class="mermaid"' in text:
            offenders.append(f"{path}: a Mermaid diagram makes Material load mermaid.js from unpkg.com")
        # Material's bundle names unpkg.com for Mermaid, fetched only for a page with a diagram (above).
        is_theme_bundle = path.name.startswith("bundle.") and path.suffix == ".js"
        if path.suffix != ".xml" and not is_theme_bundle and THIRD_PARTY.search(text):
            offenders.append(f"{path}: {THIRD_PARTY.search(text).group(0)}")
        # rel=canonical names the page's public address; browsers do not fetch it.
        targets = [m.group(3) for m in RESOURCE_ATTR.finditer(text)
                   if 'rel="canonical"' not in m.group(0)] if path.suffix == ".html" else []
        targets += CSS_URL.findall(text) if path.suffix in (".css", ".html", ".svg") else []
        for target in targets:
            if re.match(r"^(https?:)?//", target.strip()):
                offenders.append(f"{path.relative_to(built)}: loads {target}")
    assert offenders == []


def test_downloads_have_no_region_markers_and_counter_examples_are_not_published(built: Path) -> None:
    files = [p for p in (built / "snippets").rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "--8<--" not in text and "snippetguard: expect" not in text, path
    sources = [p for p in (ROOT / "docs" / "snippets").rglob("*") if p.is_file()]
    counter = [p for p in sources if "snippetguard: expect[" in p.read_text(encoding="utf-8")]
    assert counter, "the guide should show at least one declared counter-example"
    for path in counter:
        assert not (built / "snippets" / path.relative_to(ROOT / "docs" / "snippets")).exists()


def test_counter_examples_are_marked(built: Path) -> None:
    html = (built / "security" / "database" / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition insecure no-copy"' in html  # a counter-example: red, and no copy button
    assert "sg-trust" in html  # the trust mark under checked examples


def _break(site: Path, rel: str, text: str) -> None:
    target = site / "docs" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _fails_with(site: Path, *expected: str) -> str:
    proc = build(site)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    for fragment in expected:
        assert fragment in out, out
    assert "Traceback" not in out, out
    return out


def test_insecure_snippet_file_fails_the_build_at_its_line(site: Path) -> None:
    _break(site, "snippets/compose/zz-added.yml",
           'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n')
    out = _fails_with(site, "docs/snippets/compose/zz-added.yml:5:9  SG101")
    assert "= why:" in out and "= fix:" in out and "https://docs.dester.in/reference/rules/#sg101" in out
    assert not (site / "site" / "index.html").exists(), "a refused build must not leave pages behind"


def test_insecure_inline_block_fails_at_the_page_line(site: Path) -> None:
    page = site / "docs" / "contributing.md"
    lines = page.read_text(encoding="utf-8").split("\n")
    added = ["", "```bash", "curl -fsSL https://example.com/install.sh | sudo bash", "```", ""]
    page.write_text("\n".join(lines + added), encoding="utf-8")
    _fails_with(site, f"docs/contributing.md:{len(lines) + 3}:", "SG303")


def test_stale_counter_example_fails(site: Path) -> None:
    for path in sorted((site / "docs" / "snippets").rglob("*")):
        if path.is_file() and "snippetguard: expect[SG101" in path.read_text(encoding="utf-8"):
            path.write_text(path.read_text(encoding="utf-8").replace('"5432:5432"', '"127.0.0.1:5432:5432"'))
            rel = path.relative_to(site)
            break
    else:
        pytest.fail("no SG101 counter-example in the guide")
    _fails_with(site, f"{rel}:1:", "SG006", "no longer triggers SG101")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('{{ snippet("compose/does-not-exist.yml") }}', "does not exist"),
        ('{{ snippet("compose/stack.yml", region="nope") }}', "region 'nope' not found"),
        ('{{ snippet("../mkdocs.yml") }}', "contains '..'"),
        ('{{ snippet("/etc/passwd") }}', "is absolute"),
    ],
)
def test_broken_macro_calls_name_page_and_line(site: Path, call: str, message: str) -> None:
    page = site / "docs" / "contributing.md"
    lines = page.read_text(encoding="utf-8").split("\n")
    page.write_text("\n".join([*lines, "", call, ""]), encoding="utf-8")
    _fails_with(site, f"docs/contributing.md:{len(lines) + 2}:1  SG007", message)


def test_counter_example_without_its_warning_fails(site: Path) -> None:
    counter = next(p for p in (site / "docs" / "snippets").rglob("*")
                   if p.is_file() and "snippetguard: expect[" in p.read_text(encoding="utf-8"))
    rel = counter.relative_to(site / "docs" / "snippets").as_posix()
    page = site / "docs" / "contributing.md"
    page.write_text(page.read_text(encoding="utf-8") + f'\n{{{{ snippet("{rel}") }}}}\n', encoding="utf-8")
    _fails_with(site, "SG009")


def test_hostile_snippet_text_renders_inert(site: Path) -> None:
    _break(site, "snippets/shell/zz-hostile.sh",
           "echo '</code></pre><script>alert(1)</script>'  # {{ config.site_name }} {% if x %}\n"
           "docker ps --format '{{.Names}}'\n# <!-- comment --> ``` ~~~\n")
    page = site / "docs" / "contributing.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n{{ snippet("shell/zz-hostile.sh") }}\n', encoding="utf-8")
    proc = build(site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (site / "site" / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert" in html
    assert "{{ config.site_name }}" in html.replace("&#123;", "{") or "config.site_name" in html
    assert ".Names" in html and "DesterLib Docs }}" not in html


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_reports_and_recovers(site: Path) -> None:
    """Under `mkdocs serve`: a broken snippet shows in the console, the server stays up, a fix recovers."""
    port = _free_port()
    target = site / "docs" / "snippets" / "compose" / "zz-live.yml"
    target.write_text("services:\n  api:\n    image: desterlib/api:latest\n", encoding="utf-8")
    log = site / "serve.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=site, stdout=sink, stderr=subprocess.STDOUT, env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
        )
    try:
        _wait_for(log, "Serving on", 120)
        target.write_text("services:\n  api:\n    image: desterlib/api:latest\n    privileged: true\n", encoding="utf-8")
        _wait_for(log, "zz-live.yml:4:17  SG104", 120)
        assert proc.poll() is None, "the server must keep running after a refused rebuild"
        target.write_text("services:\n  api:\n    image: desterlib/api:latest\n", encoding="utf-8")
        mark = log.read_text().count("Documentation built") + log.read_text().count("Reloading")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = log.read_text()
            if text.count("Documentation built") + text.count("Reloading") > mark or text.rstrip().endswith("findings"):
                break
            time.sleep(0.5)
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for(log: Path, needle: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if needle in log.read_text():
            return
        time.sleep(0.3)
    pytest.fail(f"'{needle}' did not appear:\n{log.read_text()[-3000:]}")
