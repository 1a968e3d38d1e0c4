"""Rules the engine itself raises: parsing, classification, directives, embedding."""

from __future__ import annotations

from snippetguard.model import Severity
from snippetguard.registry import Example, Rule, define

CONTRIB = "contributing.md"

define(Rule(
    code="SG000", title="The checker crashed on this snippet",
    kinds=("*",), severity=Severity.ERROR,
    why="A parser or rule that crashes has checked nothing; publishing the snippet anyway would let an unchecked "
        "example through, so the build fails closed.",
    fix="Report the crash with the snippet attached; meanwhile simplify the snippet until the message goes away.",
    guide=f"{CONTRIB}#reading-a-failure", insecure=(), secure=(),
))
define(Rule(
    code="SG001", title="Snippet does not parse",
    kinds=("*",),
    why="Readers copy examples verbatim; an example its own program rejects fails for every reader, and a "
        "snippet that cannot be parsed cannot be checked for anything else.",
    fix="Correct the syntax at the reported line (the message quotes the parser).",
    guide=f"{CONTRIB}#reading-a-failure",
    insecure=Example("services:\n  api:\n    image: desterlib/api\n   ports: [\"3001:3001\"]\n", "compose", 4),
    secure=Example("services:\n  api:\n    image: desterlib/api\n    ports: [\"3001:3001\"]\n", "compose"),
))
define(Rule(
    code="SG002", title="Code block of unknown kind",
    kinds=("*",),
    why="A block whose kind is unknown cannot be checked; the site refuses to publish what it has not checked.",
    fix="Give the fence a language snippetguard knows (yaml, dotenv, bash, console, nginx, caddy, json, "
        "systemd, powershell, markdown), or text/output/log for program output.",
    guide=f"{CONTRIB}#snippet-kinds",
    insecure=Example("```toml\nport = 3001\n```\n", "markdown", 1),
    secure=Example("```text\nlistening on 0.0.0.0:3001\n```\n", "markdown"),
))
define(Rule(
    code="SG004", title="Malformed snippetguard directive",
    kinds=("*",),
    why="A suppression must say which rule it silences and why, so a reviewer can judge it; an unexplained one "
        "hides a risk with no record of the decision.",
    fix="Write `# snippetguard: ignore[SG123] the reason` with a real rule code and a reason.",
    guide=f"{CONTRIB}#suppressions",
    insecure=Example("services:\n  db:\n    image: postgres:15-alpine\n    ports:\n"
                     "      - \"5432:5432\"  # snippetguard: ignore[SG101]\n", "compose", 5),
    secure=Example("services:\n  db:\n    image: postgres:15-alpine\n    ports:\n"
                   "      - \"127.0.0.1:5432:5432\"\n", "compose"),
))
define(Rule(
    code="SG005", title="Suppression silences nothing",
    kinds=("*",),
    why="A stale suppression keeps silencing whatever lands on its line later, including a new risk.",
    fix="Delete the directive.",
    guide=f"{CONTRIB}#suppressions",
    insecure=Example("services:\n  db:\n    image: postgres:15-alpine\n"
                     "    expose: [\"5432\"]  # snippetguard: ignore[SG101] only reachable inside Docker\n",
                     "compose", 4),
    secure=Example("services:\n  db:\n    image: postgres:15-alpine\n    expose: [\"5432\"]\n", "compose"),
))
define(Rule(
    code="SG006", title="Counter-example does not trigger what it declares",
    kinds=("*",),
    why="A 'do not do this' example must still show the mistake it warns about; once it no longer triggers its "
        "rule, the warning beside it is wrong and readers learn nothing.",
    fix="Update the example so it triggers exactly the declared rules, or change its `expect[...]` list.",
    guide=f"{CONTRIB}#counter-examples",
    insecure=Example("# snippetguard: expect[SG101] database port on every interface\nservices:\n  db:\n"
                     "    image: postgres:15-alpine\n    ports: [\"127.0.0.1:5432:5432\"]\n", "compose", 1),
    secure=Example("# snippetguard: expect[SG101] database port on every interface\nservices:\n  db:\n"
                   "    image: postgres:15-alpine\n    ports: [\"5432:5432\"]\n", "compose"),
))
define(Rule(
    code="SG007", title="Broken snippet reference",
    kinds=("page",),
    why="A page that points at a missing file or region, or outside the snippets folder, would publish an empty "
        "or wrong example, or leak a file that was never meant to be shown.",
    fix="Point the macro at an existing file under docs/snippets/ and an existing region in it.",
    guide=f"{CONTRIB}#embedding-a-snippet",
    insecure=Example('{{ snippet("compose/no-such-file.yml") }}', "page", 1),
    secure=Example('{{ snippet("compose/stack.yml", region="postgres") }}', "page"),
))
define(Rule(
    code="SG008", title="Not a text file, or too large",
    kinds=("*",),
    why="Binary data, invalid UTF-8 or a huge file cannot be shown or checked reliably.",
    fix="Save the snippet as UTF-8 text and keep it under 512 KiB.",
    guide=f"{CONTRIB}#snippet-kinds",
    insecure=(), secure=(),
))
define(Rule(
    code="SG009", title="Counter-example shown without its warning",
    kinds=("page",),
    why="A declared insecure example is only acceptable inside the 'Do not use' warning; shown plainly, readers "
        "would copy it.",
    fix="Embed it with the insecure_example macro instead of snippet; it adds the warning and checks the rule list.",
    guide=f"{CONTRIB}#counter-examples",
    insecure=Example('{{ snippet("compose/db-exposed.yml") }}', "page", 1),
    secure=Example('{{ insecure_example("compose/db-exposed.yml", rule="SG101") }}', "page"),
))
define(Rule(
    code="SG010", title="Snippet claims a proof that has not passed",
    kinds=("page",),
    why="`# snippetguard: proof[NAME]` promises readers that a test ran this very text against real programs and "
        "it did what the page says. Without a passing record for the current text, the promise is unchecked: the "
        "snippet may have changed since the proof ran, or the proof may never have passed.",
    fix="Run the proof tests (`make test`, or `pytest -m proof`) so they record the snippet's current text in "
        "tests/proofs/results.json, and commit that file; if the proof now fails, fix the snippet or the page. "
        "Remove the directive only if no test proves the snippet.",
    guide=f"{CONTRIB}#proofs",
    insecure=Example("<!-- backup.sh declares proof[backup-restore]; results.json has no passing record of it, -->\n"
                     "<!-- or a record of an older backup.sh -->\n"
                     '{{ snippet("shell/backup.sh") }}\n', "page", 3),
    secure=Example("<!-- backup.sh declares proof[backup-restore]; results.json records a passing run on -->\n"
                   "<!-- the file's current text (same sha256) -->\n"
                   '{{ snippet("shell/backup.sh") }}\n', "page"),
))
