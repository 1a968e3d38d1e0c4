"""Secrets wherever they are written (SG201-SG205, SG109/SG110), weak generators (SG307), files written by
scripts, and download-and-run in its disguises (SG303, SG308): insecure forms fire at the right line,
secure near-misses stay quiet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_corpus import corpus_eval

from snippetguard import secrets
from snippetguard.kinds.powershell import parse_powershell
from snippetguard.kinds.shell import parse_shell
from snippetguard.sources import read_snippet

from conftest import codes, findings, fired

CORPUS = Path(__file__).parent / "corpus"


# --------------------------------------------------------------------------- the shared judgement

@pytest.mark.parametrize("name", ["DB_PASSWORD", "MYSQL_PW", "LDAP_BIND_PWD", "NEXTCLOUD_ADMIN_PASS", "PAPERLESS_DBPASS",
                                  "GITEA__database__PASSWD", "BACKUP_CREDENTIALS", "BASIC_AUTH", "$dbPwd",
                                  "$AdminPassword", "$env:SMTP_PASS", "$pw", "RESTIC_PASSPHRASE", "JWT_SECRET"])
def test_secret_names(name: str) -> None:
    assert secrets.is_secret_name(name)


@pytest.mark.parametrize("name", ["PWD", "OLDPWD", "BYPASS_PROXY", "COMPASS_DIR", "POSTGRES_HOST_AUTH_METHOD",
                                  "PASSWORD_MIN_LENGTH", "TOKEN_EXPIRY", "JWT_ALGORITHM", "OAUTH_CLIENT_ID",
                                  "POSTGRES_PASSWORD_FILE", "ADMIN_PASSWORD_HASH", "DB_USER", "AUTH_URL"])
def test_not_secret_names(name: str) -> None:
    assert not secrets.is_secret_name(name)


@pytest.mark.parametrize("value", [
    "", "<paste the output of: openssl rand -hex 32>", "CHANGE_ME", "${DB_PASSWORD}", "$(openssl rand -hex 32)",
    "`pwgen -s 32 1`", "%DB_PASSWORD%", "true",
    "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5x9gS9m0dMx7dA8J5bYcR1Wq5Lk2m3e",
    "$argon2id$v=19$m=65540,t=3,p=4$c2FsdA$aGFzaGhhc2g", "$$argon2id$$v=19$$m=65540,t=3,p=4$$c2FsdA$$aGFzaA",
    "{SHA512-CRYPT}$6$rounds=5000$salt$hash", "admin:$2y$05$C6UzMDM.H6dfI/f/IKcEeO", "$6$salt$hashhashhash",
])
def test_no_secret_to_judge(value: str) -> None:
    assert secrets.judge(value) is None


def test_weak_and_literal_values() -> None:
    assert secrets.judge("postgres").weak
    assert secrets.judge("short", min_length=32).weak
    verdict = secrets.judge("Xk29vLq7RmPzXk29vLq7RmPzXk29vLq7")
    assert verdict is not None and not verdict.weak


# --------------------------------------------------------------------------- .env and Compose

@pytest.mark.parametrize(("text", "rule", "line"), [
    ("MYSQL_ROOT_PASSWORD=\nMYSQL_ALLOW_EMPTY_PASSWORD=yes\n", "SG202", 2),
    ("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=true\n", "SG202", 1),
    ("POSTGRES_HOST_AUTH_METHOD=trust\n", "SG202", 1),
    ("MYSQL_PW=nextcloud\n", "SG202", 1),
    ("BASIC_AUTH=admin:admin\n", "SG202", 1),
    ("GITEA__database__PASSWD=gitea\n", "SG202", 1),
    ("SMTP_PWD=Vq3xN8rLm2Kp7Tz9Wc4Yh6Bd1Fs5Gj0A\n", "SG201", 1),
    ("REDIS_URL=redis://:hunter2@redis:6379/0\n", "SG205", 1),
    ("SMTP_URL=smtp://mailer:Zq8vR3nT6yW1kP4sX7bM2cF5hJ9dL0gQ@smtp.example.com:587\n", "SG205", 1),
])
def test_env_secrets(text: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(text, "env")


@pytest.mark.parametrize("text", [
    "MYSQL_ROOT_PASSWORD=\nSMTP_PASSWORD=\n",
    "MYSQL_ALLOW_EMPTY_PASSWORD=no\nPOSTGRES_HOST_AUTH_METHOD=scram-sha-256\n",
    "ADMIN_TOKEN='$argon2id$v=19$m=65540,t=3,p=4$bXlzYWx0$Q2hhbmdlZEhhc2g'\n",
    "TRAEFIK_HTPASSWD='admin:$2y$05$C6UzMDM.H6dfI/f/IKcEeO5x9gS9m0dMx7dA8J5bY'\n",
    "DOVECOT_PASS={SHA512-CRYPT}$6$rounds=5000$saltsalt$4Zs0pZ0nN5vJ0Y1B2c3D4e5F6g7H8i9J\n",
    "PASSWORD_MIN_LENGTH=12\nTOKEN_EXPIRY=3600\nJWT_ALGORITHM=HS256\nAUTH_METHOD=oidc\n",
    "DATABASE_URL=postgresql://vaultwarden:${VW_DB_PASSWORD}@db/vaultwarden\n",
    "DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DB\n",
    "DISABLE_AUTH=false\n",
])
def test_env_near_misses(text: str) -> None:
    assert codes(text, "env") == set()


PG = "services:\n  db:\n    image: postgres:15-alpine\n"


@pytest.mark.parametrize(("env", "rule", "line"), [
    ("    environment:\n      - MYSQL_ALLOW_EMPTY_PASSWORD=1\n", "SG110", 5),
    ("    environment:\n      BASIC_AUTH: admin:admin\n", "SG109", 5),
    ("    environment:\n      - REDIS_URL=redis://default:s3cretRedisPassw0rd@redis:6379\n", "SG205", 5),
    ("    environment:\n      DATABASE_URL: postgresql://app:${DB_PASSWORD:-postgres}@db/app\n", "SG205", 5),
])
def test_compose_environment(env: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(PG + env, "compose")


# --------------------------------------------------------------------------- shell and PowerShell assignments

@pytest.mark.parametrize(("text", "line"), [
    ("export API_KEY=\"sk-proj-8fJd2KqLm3Nz7Xw1Rt5Yv9Bc4Hg6Pa0Qe2Ws\"\n", 1),
    ("# db\nDB_PASS=hunter22\n", 2),
    ("declare -x LDAP_BIND_PW=ldapadmin\n", 1),
    ("readonly SMTP_PWD='mail-2024'\n", 1),
    ("local_user=me\nMINIO_ROOT_PASSWORD=minio123 minio server /data\n", 2),
    ("sudo env RESTIC_PASSWORD=correct-horse-battery restic backup /srv\n", 1),
    ("if true; then\n  export BACKUP_CREDENTIALS='backup:S3cr3tBackup!'\nfi\n", 2),
    ("bash -c 'export DB_PASSWORD=postgres; ./start.sh'\n", 1),
])
def test_shell_literal_secret(text: str, line: int) -> None:
    assert ("SG204", line) in fired(text, "shell")


@pytest.mark.parametrize("text", [
    "export DB_PASSWORD=\"$(openssl rand -hex 32)\"\n",
    "export DB_PASSWORD=\"${DB_PASSWORD:?set it}\"\n",
    "read -rs DB_PASSWORD\nexport DB_PASSWORD\n",
    "export DB_PASSWORD=\n",
    "export ADMIN_PASSWORD_HASH='$2b$12$C6UzMDM.H6dfI/f/IKcEeO5x9gS9m0dMx7dA8J5bYcR1Wq5Lk2m3e'\n",
    "PWD=/srv\nexport PORT=3001\n",
    "export DB_PASSWORD=<password>\n",
])
def test_shell_secret_near_misses(text: str) -> None:
    assert "SG204" not in codes(text, "shell")


@pytest.mark.parametrize("text", [
    "export SSH_KEY=~/.ssh/id_ed25519\n", "export MAX_TOKENS=4096\n", "GPG_KEY_ID=ABCDEF12\n",
    "export VAULT_ADDR=https://vault.example.com\nexport TOKEN_URL=https://auth.example.com/token\n",
    "PASSWORD_PROMPT='Enter password'\n", "export PASSWORD_STORE_DIR=/srv/pass\n",
])
def test_secret_named_but_no_secret(text: str) -> None:
    assert codes(text, "shell") == set()


def test_generator_for_a_name_that_is_no_secret() -> None:
    assert codes("SUFFIX=$(openssl rand -hex 3)\ndocker run --name \"app-$SUFFIX\" nginx:1.27\n", "shell") == set()
    assert fired("DB_PASSWORD=$(openssl rand -hex 3)\n", "shell") == {("SG307", 1)}


def test_url_format_spelt_out_is_no_password() -> None:
    assert codes("# DATABASE_URL format: postgresql://user:password@host:5432/db\n", "shell") == set()


@pytest.mark.parametrize(("kind", "text", "rule", "line"), [
    ("shell", "read -s DB_PASSWORD\nDB_PASSWORD=${DB_PASSWORD:-postgres}\n", "SG204", 2),
    ("shell", "export DB_PASSWORD=\"${DB_PASSWORD:=changeme}\"\n", "SG204", 1),
    ("env", "POSTGRES_PASSWORD=${DB_PASSWORD:-postgres}\n", "SG202", 1),
    ("powershell", "$pw = Read-Host -AsSecureString\n$DB_PASSWORD = if ($pw.Length -eq 0) { \"postgres\" } else {\n"
                   "  'x'\n}\n", "SG204", 2),
    ("powershell", "if (-not $DB_PASSWORD) {\n    $DB_PASSWORD = \"postgres\"\n}\n", "SG204", 2),
])
def test_weak_fallbacks(kind: str, text: str, rule: str, line: int) -> None:
    """DesterLib's setup scripts turn an empty answer into `postgres`."""
    assert (rule, line) in fired(text, kind)


@pytest.mark.parametrize(("kind", "text"), [
    ("shell", "DB_PASSWORD=${DB_PASSWORD:?set DB_PASSWORD}\n"),
    ("shell", "DB_PASSWORD=${DB_PASSWORD:-}\n"),
    ("shell", "DB_PASSWORD=${DB_PASSWORD:-$(openssl rand -hex 32)}\n"),
    ("env", "POSTGRES_PASSWORD=${DB_PASSWORD:?set it}\n"),
])
def test_fallback_near_misses(kind: str, text: str) -> None:
    assert codes(text, kind) == set()


def test_shell_secret_column_is_the_value() -> None:
    (finding,) = [f for f in findings("export DB_PASS='hunter22'\n", "shell") if f.rule == "SG204"]
    assert finding.column == len("export DB_PASS=") + 1


def test_token_shapes_stay_with_sg203() -> None:
    assert fired("export GITHUB_TOKEN=ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123\n", "shell") == {("SG203", 1)}


@pytest.mark.parametrize(("text", "line"), [
    ("$env:DB_PASSWORD = \"postgres\"\n", 1),
    ("$AdminPassword='P@ssw0rd!'\n", 1),
    ("[Environment]::SetEnvironmentVariable(\"SMTP_PASS\", \"mailpass123\", \"User\")\n", 1),
    ("$secure = ConvertTo-SecureString \"Winter2024!\" -AsPlainText -Force\n", 1),
    ("setx DB_PASSWORD hunter22\n", 1),
    ("function Set-Db {\n  $dbPwd = 'jellyfin'\n}\n", 2),
])
def test_powershell_literal_secret(text: str, line: int) -> None:
    assert ("SG204", line) in fired(text, "powershell")


@pytest.mark.parametrize("text", [
    "$env:DB_PASSWORD = Read-Host -Prompt 'DB password' -MaskInput\n",
    "$env:DB_PASSWORD = \"$secret\"\n",
    "$env:DB_PASSWORD = ''\n",
    "$cred = Get-Credential\n",
    "$secure = Read-Host -AsSecureString\n",
    "$env:PORT = \"3001\"\n",
])
def test_powershell_secret_near_misses(text: str) -> None:
    assert "SG204" not in codes(text, "powershell")


# --------------------------------------------------------------------------- URLs and keys in every kind

@pytest.mark.parametrize(("kind", "text", "line"), [
    ("shell", "git clone https://deploy:Xk29vLq7RmPz@git.example.com/infra.git\n", 1),
    ("powershell", "$url = 'postgresql://desterlib:hunter2pass@localhost/desterlib_prod'\n", 1),
    ("nginx", "location / {\n    proxy_pass http://admin:s3cretPassw0rd@127.0.0.1:3001;\n}\n", 2),
    ("yaml", "jobs:\n  a:\n    steps:\n      - run: echo hi\nurl: amqp://guest:guest@rabbit:5672/\n", 5),
    ("shell", "docker run -e DATABASE_URL=postgresql://app:postgres@db/app desterlib/api:0.2.0\n", 1),
    ("daemon", '{\n  "registry-mirrors": ["https://bob:hunter2hunter2@mirror.lan"]\n}\n', 2),
    ("systemd", '[Service]\nEnvironment="HTTPS_PROXY=http://bob:hunter2hunter2@proxy.lan:3128"\n', 2),
])
def test_url_password_in_every_kind(kind: str, text: str, line: int) -> None:
    assert ("SG205", line) in fired(text, kind)


@pytest.mark.parametrize(("kind", "text"), [
    ("shell", "psql \"postgresql://desterlib:${POSTGRES_PASSWORD}@127.0.0.1/desterlib_prod\"\n"),
    ("shell", "psql 'postgres://USER:PASSWORD@localhost/DB'\n"),
    ("shell", "curl https://user:<token>@git.example.com/x\n"),
    ("shell", "curl https://api.example.com/v1/x\n"),
    ("powershell", "$url = \"postgresql://desterlib:$($env:DB_PASSWORD)@localhost/db\"\n"),
    ("systemd", '[Service]\nEnvironment="HTTPS_PROXY=http://proxy.lan:3128"\n'),
])
def test_url_password_near_misses(kind: str, text: str) -> None:
    assert "SG205" not in codes(text, kind)


FAKE_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7samplesamplesample\n"


@pytest.mark.parametrize("label", ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "RSA PRIVATE KEY",
                                   "EC PRIVATE KEY", "DSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"])
@pytest.mark.parametrize("kind", ["shell", "yaml", "powershell", "env"])
def test_every_pem_private_key(label: str, kind: str) -> None:
    block = f"-----BEGIN {label}-----\n{FAKE_BODY}-----END {label}-----\n"
    if kind == "env":
        text = f'KEY="{block}"\n'
    elif kind == "yaml":
        text = "key: |\n" + "".join(f"  {line}\n" for line in block.splitlines())
    elif kind == "powershell":
        text = f"$key = @'\n{block}'@\n"
    else:
        text = f"cat > key.pem <<'EOF'\n{block}EOF\n"
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "BEGIN" in row)
    assert ("SG203", line) in fired(text, kind)


def test_placeholder_key_is_no_key() -> None:
    assert codes("cat > key.pem <<'EOF'\n-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\nEOF\n",
                 "shell") == set()


# --------------------------------------------------------------------------- weak generators (SG307)

@pytest.mark.parametrize(("text", "bits"), [
    ("openssl rand -hex 8\n", 64),
    ("openssl rand -base64 12 | tr -d '/+='\n", 92),
    ("head -c 12 /dev/urandom | base64\n", 96),
    ("dd if=/dev/urandom bs=8 count=1 2>/dev/null | base64\n", 64),
    ("tr -dc 'A-Za-z0-9' </dev/urandom | head -c 12\n", 71),
    ("cat /dev/urandom | tr -dc '[:alnum:]' | fold -w 16 | head -n 1\n", 95),
    ("openssl rand -hex 32 | cut -c1-16\n", 64),
    ("python3 -c 'import secrets; print(secrets.token_hex(8))'\n", 64),
    ("SECRET_KEY=$(date +%s | sha256sum | base64 | head -c 32)\n", 25),
    ("DB_PASSWORD=$RANDOM$RANDOM\n", 30),
    ("JWT_SECRET=$(uuidgen)\n", 122),
    ("echo \"ADMIN_PASSWORD=$(pwgen 10 1)\" >> .env\n", 60),
])
def test_weak_generators_say_their_bits(text: str, bits: int) -> None:
    messages = [f.message for f in findings(text, "shell") if f.rule == "SG307"]
    assert messages and f"about {bits} bits" in messages[0], messages


@pytest.mark.parametrize("text", [
    "openssl rand -hex 32\n", "openssl rand -base64 32 | tr -d '/+='\n", "openssl rand -hex 16\n",
    "head -c 32 /dev/urandom | base64\n", "tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40\n",
    "pwgen -s 32 1\n", "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'\n",
    "RUN_ID=$(uuidgen)\n", "sleep $((RANDOM % 10))\n", "BACKUP=\"backup-$(date +%F)-$RANDOM.tar.gz\"\n",
    "openssl rand -hex \"$LENGTH\"\n", "TAG=$(date +%s | sha256sum | head -c 8)\n",
])
def test_generator_near_misses(text: str) -> None:
    assert "SG307" not in codes(text, "shell")


@pytest.mark.parametrize(("text", "bits"), [
    ("$pw = -join ((65..90) + (97..122) | Get-Random -Count 10 | ForEach-Object {[char]$_})\n", 56),
    ("$env:JWT_SECRET = (Get-Random).ToString()\n", 31),
    ("$apiToken = [guid]::NewGuid().ToString()\n", 122),
    ("$p = [System.Web.Security.Membership]::GeneratePassword(12, 2)\n", 77),
])
def test_powershell_generators(text: str, bits: int) -> None:
    messages = [f.message for f in findings(text, "powershell") if f.rule == "SG307"]
    assert messages and f"about {bits} bits" in messages[0], messages


@pytest.mark.parametrize("text", ["$delay = Get-Random -Minimum 1 -Maximum 10\n", "$runId = New-Guid\n",
                                  "$b = [byte[]]::new(32)\n[Security.Cryptography.RandomNumberGenerator]::Fill($b)\n"])
def test_powershell_generator_near_misses(text: str) -> None:
    assert "SG307" not in codes(text, "powershell")


# --------------------------------------------------------------------------- files written by scripts

@pytest.mark.parametrize(("text", "rule", "line", "column"), [
    ("cat > docker-compose.yml <<'EOF'\nservices:\n  db:\n    image: postgres:15\n    ports:\n"
     "      - \"5432:5432\"\nEOF\n", "SG101", 6, 9),
    ("cat <<'EOF' > .env\nDB_PASSWORD=postgres\nEOF\n", "SG202", 2, 13),
    ("cat <<'EOF' | sudo tee /etc/nginx/conf.d/x.conf > /dev/null\nserver {\n    server_tokens on;\n}\nEOF\n",
     "SG407", 3, 1),
    ("sudo tee -a ~/.desterlib/.env <<EOF\nPOSTGRES_HOST_AUTH_METHOD=trust\nEOF\n", "SG202", 2, 27),
    ("if true; then\n\tcat <<-EOF > .env\n\tDB_PASSWORD=postgres\n\tEOF\nfi\n", "SG202", 3, 13),
    ("echo 'MYSQL_ALLOW_EMPTY_PASSWORD=yes' >> .env\n", "SG202", 1, 34),
    ("printf 'REDIS_PASSWORD=redis\\n' > .env\n", "SG202", 1, 24),
    ("echo 'DB_PASSWORD=postgres' | sudo tee .env\n", "SG202", 1, 19),
    ("tee .env <<< 'DB_PASSWORD=postgres'\n", "SG202", 1, 27),
    ("$ cat > .env <<EOF\n> DB_PASSWORD=postgres\n> EOF\n", "SG202", 2, 15),
])
def test_files_written_by_shell(text: str, rule: str, line: int, column: int) -> None:
    got = [(f.rule, f.line, f.column) for f in findings(text, "shell")]
    assert (rule, line, column) in got, got


@pytest.mark.parametrize("text", [
    "cat > .env <<EOF\nDB_PASSWORD=${DB_PASSWORD}\nJWT_SECRET=$(openssl rand -hex 32)\nEOF\n",
    "cat > notes.txt <<'EOF'\nDB_PASSWORD=postgres\nEOF\n",
    "cat > /etc/fstab.d/media <<'EOF'\nanything at all\nEOF\n",
    "echo \"PG_PASS=$(openssl rand -base64 36 | tr -d '\\n')\" >> .env\n",
    "bash <<'EOF'\necho hi\nEOF\n",
    "echo 'vm.max_map_count=262144' | sudo tee /etc/sysctl.d/99-elastic.conf\n",  # a .conf that is no nginx file
    "sudo tee /etc/wireguard/wg0.conf > /dev/null <<'EOF'\n[Interface]\nAddress = 10.8.0.1/24\nEOF\n",
    "cat > \"$SECRETS_FILE\" <<EOF\nAUTH_SECRET=${AUTH_SECRET}\nEOF\n",
])
def test_written_near_misses(text: str) -> None:
    assert codes(text, "shell") == set()


def test_the_scripts_directives_govern_the_files_it_writes() -> None:
    """A "don't do this" script that writes an insecure Compose file declares it like any other finding."""
    body = "cat > docker-compose.yml <<'EOF'\nservices:\n  db:\n    image: postgres:15\n    ports:\n" \
           "      - \"5432:5432\"\nEOF\n"
    assert codes("# snippetguard: expect[SG101] the v0.2.0 layout, for contrast\n" + body, "shell") == set()
    assert fired("# snippetguard: expect[SG303] wrong declaration\n" + body, "shell") == {("SG006", 1)}
    silenced = body.replace('      - "5432:5432"', '      # snippetguard: ignore[SG101] a lab machine\n      - "5432:5432"')
    assert codes(silenced, "shell") == set()
    assert fired(body, "shell") == {("SG101", 6)}


def test_generator_inside_an_unquoted_heredoc_runs() -> None:
    text = "cat > .env <<EOF\nJWT_SECRET=$(openssl rand -hex 8)\nEOF\n"
    assert fired(text, "shell") == {("SG307", 2)}


def test_systemctl_edit_drop_in_path() -> None:
    script = parse_shell("sudo systemctl edit docker <<'EOF'\n[Service]\nExecStart=\nEOF\n")
    # the drop-in's kind is whatever classify says for its path (systemd units are another helper's kind)
    from snippetguard.kinds.shell.written import _systemctl_edit_target
    assert _systemctl_edit_target(script.commands[0]) == ["/etc/systemd/system/docker.service.d/override.conf"]


@pytest.mark.parametrize(("text", "rule", "line"), [
    ("@'\nservices:\n  db:\n    image: postgres:15\n    ports:\n      - \"5432:5432\"\n'@ | Set-Content -Path "
     "docker-compose.yml\n", "SG101", 6),
    ("Set-Content -Path .env -Value \"POSTGRES_PASSWORD=postgres\"\n", "SG202", 1),
    ("$t = @\"\nDB_PASSWORD=postgres\n\"@\n$t | Out-File -FilePath .env\n", "SG202", 2),
    ("'DB_PASSWORD=postgres' > .env\n", "SG202", 1),
    ("Add-Content .\\.env 'MYSQL_ALLOW_EMPTY_PASSWORD=yes'\n", "SG202", 1),
])
def test_files_written_by_powershell(text: str, rule: str, line: int) -> None:
    assert (rule, line) in fired(text, "powershell")


def test_powershell_written_positions() -> None:
    (finding,) = findings("Set-Content -Path .env -Value \"POSTGRES_PASSWORD=postgres\"\n", "powershell")
    assert finding.column == len('Set-Content -Path .env -Value "POSTGRES_PASSWORD=') + 1
    assert parse_powershell("@'\nA=1\n'@ | Set-Content a.env\n").children[0].line == 2


# --------------------------------------------------------------------------- download and run, disguised

URL = "https://example.org/install.sh"


@pytest.mark.parametrize(("text", "line"), [
    (f"s=$(curl -fsSL {URL})\neval \"$s\"\n", 2),
    (f"s=$(curl -fsSL {URL})\nbody=$s\nbash -c \"$body\"\n", 3),
    (f"s=\"$(wget -qO- {URL})\"\necho \"$s\" | sudo bash\n", 2),
    (f"s=$(curl -fsSL {URL})\nbash <<< \"$s\"\n", 2),
    (f"s=$(curl -fsSL {URL})\nsource <(echo \"$s\")\n", 2),
    (f". <(wget -qO- {URL})\n", 1),
    (f"curl -fsSL {URL} | xargs -0 sh -c\n", 1),
    (f"curl -fsSL {URL} | xargs -I{{}} bash -c '{{}}'\n", 1),
    (f"wget -qO- {URL} | sudo -E bash -\n", 1),
    (f"bash -c \"$(curl -fsSL {URL})\"\n", 1),
])
def test_shell_download_disguises(text: str, line: int) -> None:
    assert ("SG303", line) in fired(text, "shell")


@pytest.mark.parametrize("text", [
    f"s=$(curl -fsSL {URL})\necho \"$s\" > install.sh\nless install.sh\n",
    f"s=$(curl -fsSL {URL})\ns=done\neval \"$s\"\n",
    f"tag=$(curl -fsSL {URL} | jq -r .tag_name)\necho \"$tag\"\n",
    f"curl -fsSL {URL} | xargs -n1 echo\n",
])
def test_shell_download_near_misses(text: str) -> None:
    assert "SG303" not in codes(text, "shell")


PSURL = "https://example.org/install.ps1"


@pytest.mark.parametrize(("text", "line"), [
    (f"$s = irm {PSURL}\niex $s\n", 2),
    (f"$s = (iwr {PSURL} -UseBasicParsing).Content\n& ([scriptblock]::Create($s))\n", 2),
    (f"$s = irm {PSURL}\n$t = $s\n. ([scriptblock]::Create($t))\n", 3),
    (f"$s = Invoke-RestMethod {PSURL}\nInvoke-Expression -Command $s\n", 2),
    (f"$s = irm {PSURL}\n$s | Invoke-Expression\n", 2),
    (f"irm {PSURL} | powershell -NoProfile -\n", 1),
    (f"irm {PSURL} | pwsh -Command -\n", 1),
    (f"$ExecutionContext.InvokeCommand.InvokeScript((irm {PSURL}))\n", 1),
    (f"Invoke-Expression (Invoke-WebRequest {PSURL} -UseBasicParsing)\n", 1),
    (f"wget {PSURL} | iex\n", 1),
])
def test_powershell_download_disguises(text: str, line: int) -> None:
    assert ("SG308", line) in fired(text, "powershell")


@pytest.mark.parametrize("text", [
    f"$s = irm {PSURL}\nWrite-Output $s\n",
    f"$script = irm {PSURL}\n$scripted = 'Get-Date'\niex $scripted\n",
    f"irm {PSURL} | Out-File install.ps1\npowershell -File install.ps1\n",
    f"iwr {PSURL} -OutFile install.ps1\n",
])
def test_powershell_download_near_misses(text: str) -> None:
    assert "SG308" not in codes(text, "powershell")


# --------------------------------------------------------------------------- the corpus

CORPUS_FILES = [p for kind, p in corpus_eval.corpus_files(CORPUS) if kind in ("shell", "powershell", "env")]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CORPUS_FILES])
def test_corpus_file(path: Path) -> None:
    """Every marked line fires its rule; nothing else fires (files named sane-* expect nothing)."""
    import snippetguard

    snippet = read_snippet(path, str(path))
    got = sorted({(f.rule, f.line) for f in snippetguard.check_snippet(snippet).all_findings()})
    assert got == corpus_eval.expectations(path, path.read_text())


# --------------------------------------------------------------------------- detect-secrets' formats, recorded

def test_recorded_formats_match_the_installed_detect_secrets() -> None:
    """The record stands in for detect-secrets' patterns; after an upgrade, `make secret-formats` rewrites it."""
    from snippetguard import secretformats

    record = json.loads(secretformats.RECORD.read_text(encoding="utf-8"))
    assert record["detect_secrets"] == secretformats.installed_version(), "run `make secret-formats`"
    assert record["formats"] == secretformats.live(), "run `make secret-formats`"
    assert len(record["formats"]) >= 15  # 17 in detect-secrets 1.5.0


def test_a_sane_check_does_not_import_detect_secrets() -> None:
    """Importing it costs ~0.15 s per build; only a candidate token asks detect-secrets to confirm."""
    script = ("import sys\nfrom snippetguard import Snippet, check_snippet\n"
              "check_snippet(Snippet(text='services:\\n  api:\\n    image: desterlib/api\\n', kind='compose', path='c.yml'))\n"
              "print('detect_secrets' in sys.modules)\n"
              "check_snippet(Snippet(text='GITHUB_TOKEN=ghp_R4nd0mL00k1ngT0k3nV4lu3abcdefghij123\\n', kind='env', path='.env'))\n"
              "print('detect_secrets' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_formats_fall_back_to_detect_secrets_when_the_record_is_for_another_release(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from snippetguard import secretformats

    monkeypatch.setattr(secretformats, "installed_version", lambda: "0.0.0-other")
    secretformats.formats.cache_clear()
    try:
        live = secretformats.formats()
        assert [f.name for f in live] == [d["name"] for d in secretformats.live()]
        assert secrets.value_shape("AKIAIOSFODNN7EXAMPLE") == "AWS Access Key"
    finally:
        secretformats.formats.cache_clear()
