"""The README's Quick start, run as written against a fresh server: every fenced shell block between
"## Quick start" and the next section, in order, with `localhost:8080` pointed at the test's server, the
`vigil` binary on the PATH and `scripts/serve` left out (the test starts the server). A curl that gets an
HTTP error fails the block — except the block that shows a bad row being named, which must get its 422."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from support import ROOT, VIGIL, vigil_server

PRELUDE = """set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; }
"""


def quick_start_blocks():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Quick start"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_the_quick_start_runs_as_written(tmp_path):
    with vigil_server(tmp_path / "data") as url:
        port = url.rsplit(":", 1)[1]
        env = {**os.environ, "PATH": f"{VIGIL.parent}:{os.environ['PATH']}", "VIGIL_URL": url, "VIGIL_BIN": str(VIGIL)}
        blocks = quick_start_blocks()
        assert len(blocks) >= 4, "the Quick start lost its examples"
        for block in blocks:
            script = "\n".join(line for line in block.splitlines() if not line.startswith("scripts/serve"))
            script = script.replace("localhost:8080", f"127.0.0.1:{port}").replace("127.0.0.1:8080", f"127.0.0.1:{port}")
            run = subprocess.run(["bash", "-c", PRELUDE + script], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=600)
            if "scroe" in block:  # the bad-row example: named and refused, the good row kept
                assert '"code":"rejected_rows"' in run.stdout and '"accepted":1' in run.stdout, run.stdout + run.stderr
            else:
                assert run.returncode == 0, f"{block}\n→ {run.stdout[-2000:]}\n{run.stderr[-2000:]}"


def python_snippet():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python client"):]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_the_python_client_snippet_runs_as_written(tmp_path):
    with vigil_server(tmp_path / "data") as url:
        code = python_snippet().replace("http://127.0.0.1:8080", url) + "\nclient.close()\n"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "clients" / "python" / "src")}
        script = tmp_path / "snippet.py"  # from a file, as a user runs it: metric functions need their source
        script.write_text(code)
        run = subprocess.run(["python3", str(script)], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
