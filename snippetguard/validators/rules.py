"""SG6xx: the snippet's own program rejects it. Raised by `snippetguard.validators`, not by a check function."""

from __future__ import annotations

from snippetguard.registry import Example, Rule, define

CONTRIB = "contributing.md#checked-by-the-real-programs"

define(Rule(
    code="SG601", title="docker compose config rejects this file",
    kinds=("compose",),
    why="Compose checks more than its schema: references between services, networks and volumes, port syntax, "
        "required variables. A file it rejects fails for every reader at `docker compose up`.",
    fix="Correct what the message (quoted from `docker compose config`) names; run `docker compose config -q` "
        "beside the file to check.",
    guide=CONTRIB,
    insecure=Example("services:\n  api:\n    image: desterlib/api\n    depends_on:\n      - postgres\n", "compose", 5),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    depends_on:\n      - postgres\n  postgres:\n"
                   "    image: postgres:15-alpine\n", "compose"),
))
define(Rule(
    code="SG602", title="nginx -t rejects this configuration",
    kinds=("nginx",),
    why="nginx refuses to load a configuration with an unknown directive or a bad value, and `systemctl reload` "
        "then keeps the old one or, on a fresh install, nothing at all.",
    fix="Correct the line the message (quoted from `nginx -t`) names; test with `sudo nginx -t` before reloading.",
    guide=CONTRIB,
    insecure=Example("server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"
                     "        proxy_set_headers Host $host;\n    }\n}\n", "nginx", 5),
    secure=Example("server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:3001;\n"
                   "        proxy_set_header Host $host;\n    }\n}\n", "nginx"),
))
define(Rule(
    code="SG603", title="caddy adapt rejects this Caddyfile",
    kinds=("caddy",),
    why="Caddy refuses a Caddyfile it cannot adapt (an unknown directive, a wrong argument): a reload fails and "
        "keeps the old configuration, and the next start (a reboot, an upgrade) leaves the site down.",
    fix="Correct the line the message (quoted from `caddy adapt`) names; check with "
        "`caddy adapt --config Caddyfile --adapter caddyfile` or `caddy validate`.",
    guide=CONTRIB,
    insecure=Example("media.example.com {\n\treverse_proxi 127.0.0.1:3001\n}\n", "caddy", 2),
    secure=Example("media.example.com {\n\treverse_proxy 127.0.0.1:3001\n}\n", "caddy"),
))
define(Rule(
    code="SG604", title="shellcheck finds an error in this script",
    kinds=("shell",),
    why="shellcheck's errors are commands that do not do what they say: a test that compares strings instead of "
        "numbers, a `[` that never closes, a redirect that writes a file. Readers run them as written.",
    fix="Correct the line the message (quoted from shellcheck, with its SC code) names; `shellcheck --shell=bash "
        "script.sh` shows the same.",
    guide=CONTRIB,
    insecure=Example("count=$(ls /srv/media | wc -l)\nif [ $count > 1000 ]; then\n  echo \"large library\"\nfi\n",
                     "shell", 2),
    secure=Example("count=$(find /srv/media -type f | wc -l)\nif [ \"$count\" -gt 1000 ]; then\n"
                   "  echo \"large library\"\nfi\n", "shell"),
))
define(Rule(
    code="SG605", title="Needs a newer program than the site supports",
    kinds=("nginx", "caddy"),
    why="Readers install nginx and Caddy from their distribution (Debian 12: nginx 1.22.1, Caddy 2.6.2). Syntax that "
        "first appeared later makes their server refuse the whole configuration, and nothing on the page told them.",
    fix="If the newer syntax is worth it, declare it on a line of its own: `# snippetguard: requires[nginx>=1.25.1] "
        "reason`; the page then shows \"needs nginx ≥ 1.25.1\" beside the example and the old program is not asked. "
        "Otherwise use the older spelling (e.g. `listen 443 ssl http2;`, `basicauth`).",
    guide="contributing.md#program-versions",
    insecure=Example("server {\n    listen 443 ssl;\n    http2 on;\n    ssl_certificate /etc/ssl/media.pem;\n"
                     "    ssl_certificate_key /etc/ssl/media.key;\n}\n", "nginx", 3),
    secure=Example("# snippetguard: requires[nginx>=1.25.1] `http2 on` replaces the listen parameter\nserver {\n"
                   "    listen 443 ssl;\n    http2 on;\n    ssl_certificate /etc/ssl/media.pem;\n"
                   "    ssl_certificate_key /etc/ssl/media.key;\n}\n", "nginx"),
))
