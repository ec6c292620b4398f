"""`vigil gate check` as a retraining job in CI runs it: exit 0 when the data passes, 1 with every violated
rule named per column when it fails, 2 when the gate does not exist."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest
from support import VIGIL, free_port, wait_until_ready

RULES = {"columns": {"fare": {"type": "numeric", "max_missing_fraction": 0.01, "min": 0, "max": 500},
                     "payment": {"type": "categorical", "categories": ["card", "cash"], "max_unseen_fraction": 0}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(VIGIL), "serve", "--data", str(tmp_path_factory.mktemp("gates")), "--port", str(port),
                             "--log-level", "warning"])
    wait_until_ready(url + "/readyz", proc, "vigil serve")
    request = urllib.request.Request(url + "/v1/gates/trips-gate", json.dumps(RULES).encode(), method="PUT")
    urllib.request.urlopen(request, timeout=30).read()
    yield url
    proc.terminate()
    proc.wait(30)


def check(url, path, *extra):
    return subprocess.run([str(VIGIL), "gate", "check", "--server", url, *extra, "--data", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_the_exit_code_says_whether_the_data_may_be_used(server, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("fare,payment\n" + "\n".join(f"{5 + i % 40},{'card' if i % 2 else 'cash'}" for i in range(200)))
    run = check(server, good, "trips-gate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("gate trips-gate: pass — 200 rows, 0 violations")

    bad = tmp_path / "bad.ndjson"
    rows = [{"fare": None if i < 50 else 12.5, "payment": "crypto" if i % 10 == 0 else "card"} for i in range(200)]
    bad.write_text("\n".join(json.dumps(r) for r in rows))
    run = check(server, bad, "trips-gate", "--dataset", "s3://lake/features.trips")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "gate trips-gate: fail — 200 rows" in run.stdout
    assert "  fare: missing:" in run.stdout and "  payment: categories:" in run.stdout

    # A file whose name says nothing: the server tells CSV from NDJSON by the content.
    plain = tmp_path / "rows.txt"
    plain.write_text(good.read_text())
    assert check(server, plain, "trips-gate").returncode == 0

    # A column profile instead of rows: 25 % null fares named the same way.
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"rows": 200, "columns": {"fare": {"type": "numeric", "nulls": 50, "min": 1, "max": 90},
                                                            "payment": {"categories": {"card": 200}}}}))
    run = subprocess.run([str(VIGIL), "gate", "check", "--server", server, "trips-gate", "--profile", str(profile)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "  fare: missing: fare: 50 of 200 rows are null (25.0%)" in run.stdout, run.stdout
    assert "payment" not in run.stdout

    missing = check(server, good, "no-such-gate")
    assert missing.returncode == 2 and "no gate 'no-such-gate'" in missing.stderr
