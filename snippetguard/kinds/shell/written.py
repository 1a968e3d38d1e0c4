"""Files a script writes (`cat > f <<EOF`, `tee f`, `echo … > f`): their text, checked as the file's kind."""

from __future__ import annotations

from snippetguard.kinds.shell.model import ShellScript
from snippetguard.sources import Nested


def written_files(script: ShellScript) -> list[Nested]:
    return []
