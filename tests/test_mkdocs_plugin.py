"""The MkDocs plugin's options, on small sites of their own (the site's own build is test_site_build.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

from snippetguard.mkdocs.plugin import SnippetGuardPlugin

SECURE = 'services:\n  db:\n    image: postgres:15-alpine\n    expose:\n      - "5432"\n'
INSECURE = 'services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - "5432:5432"\n'


def _site(root: Path, config: str, pages: dict[str, str], snippets: dict[str, str] | None = None,
          folder: str = "snippets") -> Path:
    (root / "mkdocs.yml").write_text("site_name: Test\nstrict: true\n" + config, encoding="utf-8")
    for rel, text in pages.items():
        (root / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / rel).write_text(text, encoding="utf-8")
    for rel, text in (snippets or {}).items():
        (root / "docs" / folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / folder / rel).write_text(text, encoding="utf-8")
    return root


def _build(site: Path) -> tuple[int, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SNIPPETGUARD_CACHE_DIR": str(site / ".sg-cache")}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=site, env=env,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_options_are_validated() -> None:
    plugin = SnippetGuardPlugin.configured(supported_versions={"nginx": "1.22.1", "caddy": 2.6})
    assert plugin.config.supported_versions == {"nginx": "1.22.1", "caddy": "2.6"}
    assert (plugin.config.fail_on, plugin.config.trust_marks, plugin.config.rules_reference) == ("warning", True, False)
    for bad in ({"supported_versions": {"apache": "2.4"}}, {"supported_versions": {"nginx": "latest"}},
                {"kinds": ["cobol"]}, {"fail_on": "never"}):
        with pytest.raises(PluginError):
            SnippetGuardPlugin.configured(**bad)


def test_supported_versions_become_the_validators_floors(tmp_path: Path) -> None:
    """The option, else `extra: supported_versions:`; only nginx and Caddy have floors the validators ask."""
    config = {"docs_dir": str(tmp_path), "config_file_path": str(tmp_path / "mkdocs.yml"), "plugins": {},
              "extra": {"supported_versions": {"nginx": "1.24.0", "postgresql": "15"}}}
    plugin = SnippetGuardPlugin.configured(supported_versions={"nginx": "1.22.1", "docker": "20.10"}, kinds=["compose"])
    plugin.on_config(config)
    assert plugin.site is not None and plugin.site.floors == {"nginx": (1, 22, 1)}
    assert plugin.site.kinds == frozenset({"compose"}) and plugin.site.rule_examples is False
    fallback = SnippetGuardPlugin.configured()
    fallback.on_config(config)
    assert fallback.site is not None and fallback.site.floors == {"nginx": (1, 24, 0)}


@pytest.mark.slow
def test_defaults_refuse_an_insecure_snippet_and_run_no_rule_self_test(tmp_path: Path) -> None:
    site = _site(tmp_path, "plugins:\n  - macros\n  - snippetguard\n",
                 {"index.md": '# Home\n\n{{ snippet("compose/db.yml") }}\n'}, {"compose/db.yml": INSECURE})
    code, out = _build(site)
    assert code != 0 and "docs/snippets/compose/db.yml:5:9  SG101" in out, out
    assert "SG006" not in out and "rule SG" not in out, out
    (site / "docs" / "snippets" / "compose" / "db.yml").write_text(SECURE, encoding="utf-8")
    code, out = _build(site)
    assert code == 0, out
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    # a site without md_in_html/attr_list/icons gets the trust mark and download link as plain Markdown
    assert "Checked: parsed as Compose" in html and 'href="snippets/compose/db.yml"' in html


@pytest.mark.slow
def test_kinds_fail_on_trust_marks_and_snippet_folder(tmp_path: Path) -> None:
    config = ("plugins:\n  - macros\n  - snippetguard:\n      snippets_dir: examples\n      kinds: [compose, caddy]\n"
              "      fail_on: error\n      trust_marks: false\n")
    page = ('# Home\n\n{{ snippet("stack.yml") }}\n\n```python\nprint("not a configuration")\n```\n\n'
            "```bash\nchmod 777 /srv\n```\n\n"  # shell is not among the kinds: not checked
            "```caddy\nmedia.example.com {\n\ttls internal\n\treverse_proxy 127.0.0.1:3001\n}\n```\n")  # SG505: a warning
    site = _site(tmp_path, config, {"index.md": page}, {"stack.yml": SECURE}, folder="examples")
    code, out = _build(site)
    assert code == 0, out
    assert "SG505" in out and "SG301" not in out and "SG002" not in out, out
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "Checked:" not in html and 'href="examples/stack.yml"' in html


@pytest.mark.slow
def test_rules_reference_is_off_unless_asked_for(tmp_path: Path) -> None:
    site = _site(tmp_path, "plugins:\n  - macros\n  - snippetguard\n", {"index.md": "# Rules\n\n{{ rules_table() }}\n"})
    code, out = _build(site)
    assert code != 0 and "docs/index.md:3:1  SG007" in out and "rules_reference: true" in out, out


@pytest.mark.slow
def test_macros_as_a_module_of_mkdocs_macros(tmp_path: Path) -> None:
    config = ("plugins:\n  - macros:\n      modules: [snippetguard.mkdocs.macros]\n  - snippetguard:\n"
              "      rules_reference: true\n")
    site = _site(tmp_path, config, {"index.md": '# Home\n\n{{ snippet("db.yml") }}\n\n{{ rules_table("env") }}\n'},
                 {"db.yml": SECURE})
    code, out = _build(site)
    assert code == 0, out
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    # the site has no rules page of its own: the table links to the published reference
    assert 'href="https://docs.dester.in/reference/rules/#sg201"' in html


@pytest.mark.slow
def test_a_missing_program_leaves_its_rule_examples_unchecked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the rules reference on and nginx missing: the nginx snippet and SG602's own example are "not checked",
    never a finding (SG602's examples are judged by the real nginx in the test suite, not in site builds)."""
    from snippetguard.docsite import DocSite
    from snippetguard.validators.nginx import NginxTest

    monkeypatch.setenv("CI", "false")
    monkeypatch.setenv("SNIPPETGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(NginxTest, "locate", lambda self: None)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "site.conf").write_text("server {\n    listen 127.0.0.1:8080;\n}\n", encoding="utf-8")
    site = DocSite(tmp_path, tmp_path / "snippets", rule_examples=True)
    site.start()
    programs = site.run_programs()
    assert any(note.startswith("nginx not found") for note in programs.notes()), programs.notes()
    findings = site.report().sorted()
    assert not [f for f in findings if "SG602" in f.message or f.rule in ("SG602", "SG006")], findings


@pytest.mark.slow
def test_a_real_program_finding_from_the_worker_refuses_the_build(tmp_path: Path) -> None:
    """With the rules reference on, the snippet files and the rules' examples go to the worker process, which
    starts the real programs as soon as the files are checked: nginx's verdict must still refuse the build."""
    snippets = {f"compose/s{i}.yml": SECURE for i in range(17)}
    snippets["nginx/site.conf"] = "server {\n    listen 127.0.0.1:8080;\n    proxy_passs http://127.0.0.1:3001;\n}\n"
    site = _site(tmp_path, "plugins:\n  - macros\n  - snippetguard:\n      rules_reference: true\n",
                 {"index.md": '# Home\n\n{{ snippet("nginx/site.conf") }}\n'}, snippets)
    code, out = _build(site)
    assert code != 0 and "docs/snippets/nginx/site.conf:3:" in out and "SG602" in out, out
    assert 'unknown directive "proxy_passs"' in out, out


def test_the_worker_hands_the_first_results_on_early(tmp_path: Path) -> None:
    from snippetguard import Snippet
    from snippetguard.parallel import _check_all

    snippets = [Snippet(f"X{i}=1\n", "env", f"s{i}.env") for i in range(5)]
    results, extra = _check_all(snippets, then=lambda head: [r.snippet.path for r in head], first=2)
    assert [r.snippet.path for r in results] == [s.path for s in snippets]
    assert extra == ["s0.env", "s1.env"]
