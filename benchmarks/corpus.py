"""Deterministic generated snippets and sites for the benchmarks (nothing large is committed)."""

from __future__ import annotations

import random
from pathlib import Path

from snippetguard.model import Snippet

COMPOSE = """services:
  postgres{n}:
    image: postgres:15-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: ${{POSTGRES_USER:?set it}}
      POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:?set it}}
    volumes:
      - pg{n}:/var/lib/postgresql/data
    {ports}
  api{n}:
    image: desterlib/api:0.2.{n}
    depends_on: [postgres{n}]
    ports:
      - "{api}:3001"
    volumes:
      - /srv/media{n}:/media:ro
volumes:
  pg{n}:
"""
ENV = """# settings {n}
POSTGRES_USER=desterlib{n}
POSTGRES_DB=desterlib_{n}
POSTGRES_PASSWORD={password}
HOST_MEDIA_PATH=/srv/media/{n}
PORT={api}
RATE_LIMIT_MAX={limit}
"""
SHELL = """# step {n}
sudo ufw allow from 192.168.{a}.0/24 to any port {api} proto tcp
chmod {mode} ~/.desterlib/.env
curl -fsSLo install-{n}.sh https://example.com/install.sh
less install-{n}.sh && bash install-{n}.sh
docker compose -f stack-{n}.yml up -d
"""
NGINX = """server {{
    listen 80;
    server_name media{n}.example.com;
    location / {{
        proxy_pass http://127.0.0.1:{api};
        proxy_http_version 1.1;
        proxy_set_header Host {host};
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }}
}}
"""
CADDY = """media{n}.example.com {{
	encode gzip
	reverse_proxy 127.0.0.1:{api}
	log {{
		output file /var/log/caddy/media{n}.log
	}}
}}
"""
KINDS = ("compose", "env", "shell", "nginx", "caddy")
SUFFIX = {"compose": "yml", "env": "env", "shell": "sh", "nginx": "conf", "caddy": "Caddyfile"}


def snippet_text(kind: str, n: int, rng: random.Random, insecure_rate: float = 0.1) -> str:
    bad = rng.random() < insecure_rate
    api = 3000 + n % 1000
    if kind == "compose":
        ports = 'ports: ["5432:5432"]' if bad else 'expose: ["5432"]'
        return COMPOSE.format(n=n, ports=ports, api=api)
    if kind == "env":
        return ENV.format(n=n, password="postgres" if bad else "<openssl rand -base64 32>", api=api, limit=50 + n % 200)
    if kind == "shell":
        return SHELL.format(n=n, a=n % 250, api=api, mode="644" if bad else "600")
    if kind == "nginx":
        return NGINX.format(n=n, api=api, host="$http_host" if bad else "$host")
    return CADDY.format(n=n, api=api)


def snippets(count: int, seed: int = 2026) -> list[Snippet]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        out.append(Snippet(snippet_text(kind, n, rng), kind, f"corpus/{n}.{SUFFIX[kind]}"))
    return out


def write_site(root: Path, pages: int, snippets_per_page: int, seed: int = 7) -> None:
    """A site of `pages` pages, each embedding `snippets_per_page` snippet files (all secure)."""
    rng = random.Random(seed)
    docs = root / "docs"
    (docs / "snippets").mkdir(parents=True, exist_ok=True)
    nav = []
    for page in range(pages):
        lines = [f"# Page {page}", "", "Generated for the benchmark.", ""]
        for i in range(snippets_per_page):
            n = page * snippets_per_page + i
            kind = KINDS[n % len(KINDS)]
            rel = f"{kind}/{n}.{SUFFIX[kind]}"
            path = docs / "snippets" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(snippet_text(kind, n, rng, insecure_rate=0.0), encoding="utf-8")
            lines += [f"## Example {n}", "", f'{{{{ snippet("{rel}") }}}}', ""]
        (docs / f"page-{page}.md").write_text("\n".join(lines), encoding="utf-8")
        nav.append(f"  - page-{page}.md")
    (docs / "index.md").write_text("# Generated site\n", encoding="utf-8")
    config = [
        "site_name: Generated",
        "site_url: https://example.invalid/",
        "strict: true",
        "theme:",
        "  name: material",
        "  font: false",
        "plugins:",
        "  - search",
        "  - macros:",
        "      module_name: macros/main",
        "markdown_extensions:",
        "  - admonition",
        "  - attr_list",
        "  - md_in_html",
        "  - pymdownx.superfences",
        "  - pymdownx.emoji:",
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji",
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg",
        "nav:",
        "  - index.md",
        *nav,
    ]
    (root / "mkdocs.yml").write_text("\n".join(config) + "\n", encoding="utf-8")
