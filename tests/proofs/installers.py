"""The files each DesterLib installer leaves in ~/.desterlib, as the proofs' starting point.

Written from what the installers do (see /work/shared/desterlib-facts.md), not copied from them:

* the v0.2.0 npm CLI (packages/cli/src/utils/templates.ts at tag v0.2.0): a Compose file with the
  password written literally twice (POSTGRES_PASSWORD, DATABASE_URL), the API as the image
  desterlib/api:latest, and ~/.desterlib/.env with DATABASE_URL (not read at run time);
* the setup scripts on main (scripts/setup/unix.sh at 30206f0): a clone of the repository whose
  docker-compose.yml is edited in place with sed, so the password appears three times (postgres
  POSTGRES_PASSWORD, api POSTGRES_PASSWORD, api DATABASE_URL), plus ~/.desterlib/apps/api/.env,
  which the api service loads with env_file. The clone's .dockerignore matches at its root only.

Each layout is written with the default umask (0644 files), as the installers leave them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOCKERIGNORE = [  # the 19 patterns of the repository's .dockerignore (all anchored at the context root)
    "node_modules", "npm-debug.log", ".git", ".gitignore", "README.md", ".env", ".env.local", ".env.example",
    ".nyc_output", "coverage", ".cache", ".next", ".nuxt", "dist", "build", ".vscode", ".idea", "*.log",
    ".DS_Store",
]


@dataclass(frozen=True)
class Layout:
    name: str  # "cli" or "setup-scripts"
    user: str
    password: str
    db: str
    copies: dict[str, int]  # install-folder-relative file -> how many copies of the password it holds

    def url(self, password: str | None = None) -> str:
        return f"postgresql://{self.user}:{self.password if password is None else password}@postgres:5432/{self.db}?schema=public"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)


def cli_layout(install: Path, media: Path, *, user: str = "desterlib", password: str, db: str = "desterlib",
               port: int = 3001) -> Layout:
    url = f"postgresql://{user}:{password}@postgres:5432/{db}?schema=public"
    _write(install / "docker-compose.yml", f"""\
# Compose file as the DesterLib CLI writes it
services:
  postgres:
    image: postgres:15-alpine
    container_name: desterlib-postgres
    restart: unless-stopped
    environment:
      POSTGRES_USER: {user}
      POSTGRES_PASSWORD: {password}
      POSTGRES_DB: {db}
    ports:
      - "5432:5432"
    volumes:
      - postgres_data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U {user}"]
      interval: 10s
      timeout: 5s
      retries: 5

  api:
    image: desterlib/api:latest
    container_name: desterlib-api
    restart: unless-stopped
    depends_on:
      postgres:
        condition: service_healthy
    environment:
      DATABASE_URL: {url}
      NODE_ENV: production
      PORT: {port}
      RATE_LIMIT_WINDOW_MS: 900000  # 15 minutes
      RATE_LIMIT_MAX: 100
    ports:
      - "0.0.0.0:{port}:{port}"
    volumes:
      - {media}:/media:ro

volumes:
  postgres_data:
    driver: local
""")
    _write(install / ".env", f"""\
# Settings file as the DesterLib CLI writes it
DATABASE_URL={url}
NODE_ENV=production
PORT={port}
RATE_LIMIT_WINDOW_MS=900000  # 15 minutes in milliseconds
RATE_LIMIT_MAX=100
""")
    _write(install / "README.md", "# DesterLib installation\n")
    return Layout("cli", user, password, db, {"docker-compose.yml": 2, ".env": 1})


def setup_layout(install: Path, media: Path, *, user: str = "postgres", password: str = "postgres",
                 db: str = "desterlib_prod", port: int = 3001) -> Layout:
    url = f"postgresql://{user}:{password}@postgres:5432/{db}?schema=public"
    _write(install / "docker-compose.yml", f"""\
# Compose file of the repository after the setup script's sed edits
services:
  postgres:
    image: postgres:15-alpine
    container_name: desterlib-postgres
    restart: unless-stopped
    environment:
      POSTGRES_USER: {user}
      POSTGRES_PASSWORD: {password}
      POSTGRES_DB: {db}
    ports:
      - "5432:5432"
    volumes:
      - postgres_data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 10s
      timeout: 5s
      retries: 5

  api:
    build:
      context: .
      dockerfile: Dockerfile
    container_name: desterlib-api
    restart: unless-stopped
    depends_on:
      postgres:
        condition: service_healthy
    env_file:
      - apps/api/.env
    environment:
      POSTGRES_HOST: postgres
      POSTGRES_PORT: 5432
      POSTGRES_USER: {user}
      POSTGRES_PASSWORD: {password}
      POSTGRES_DB: {db}
      DATABASE_URL: {url}
      NODE_ENV: production
      PORT: {port}
      FRONTEND_URL: http://localhost:{port}
      HOST_MEDIA_PATH: {media}
      CONTAINER_MEDIA_PATH: /media
    ports:
      - "0.0.0.0:{port}:{port}"
    volumes:
      - {media}:/media:ro

volumes:
  postgres_data:
""")
    _write(install / "apps" / "api" / ".env", f"""\
DATABASE_URL={url}
NODE_ENV=production
PORT={port}
FRONTEND_URL=http://localhost:{port}
HOST_MEDIA_PATH={media}
CONTAINER_MEDIA_PATH=/media
""")
    # The rest of the clone: enough for the build context to look like the real one.
    _write(install / ".dockerignore", "\n".join(DOCKERIGNORE) + "\n")
    _write(install / "Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\n")
    _write(install / "package.json", '{"name": "desterlib"}\n')
    _write(install / "apps" / "api" / ".env.example",
           "DATABASE_URL=postgresql://postgres:postgres@localhost:5433/desterlib_test\n")
    _write(install / "apps" / "api" / "src" / "index.ts", "// API source\n")
    _write(install / ".git" / "HEAD", "ref: refs/heads/main\n")
    return Layout("setup-scripts", user, password, db, {"docker-compose.yml": 3, "apps/api/.env": 1})


def hardened_layout(install: Path, media: Path, snippets: Path, *, password: str) -> Layout:
    """This site's hand-made set-up: compose/stack.yml and env/desterlib.env, password in .env only."""
    _write(install / "docker-compose.yml", (snippets / "compose" / "stack.yml").read_text(encoding="utf-8"))
    template = (snippets / "env" / "desterlib.env").read_text(encoding="utf-8")
    env = template.replace("HOST_MEDIA_PATH=/srv/media", f"HOST_MEDIA_PATH={media}")
    assert env != template, "the .env template no longer sets HOST_MEDIA_PATH=/srv/media"
    _write(install / ".env", env + f"POSTGRES_PASSWORD={password}\n")
    user = re.search(r"^POSTGRES_USER=(\S+)", env, re.M)
    db = re.search(r"^POSTGRES_DB=(\S+)", env, re.M)
    assert user and db, "the .env template no longer sets POSTGRES_USER and POSTGRES_DB"
    _write(install / "Dockerfile", "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\n")
    _write(install / ".dockerignore", "\n".join(DOCKERIGNORE) + "\n")
    return Layout("hardened", user.group(1), password, db.group(1), {"docker-compose.yml": 0, ".env": 1})
