"""The first minutes of a new user: `scripts/load-demo` on a fresh server shifts the taxi fixture to end now,
sets the reference, defines the example SLOs and streams live traffic — so within 60 s estimated performance
over the last 7 days, the SLO gauges on /metrics, `vigil slo report` and the dashboard's overview all show
live values. The historical replay stays available, and `vigil slo report --at` judges it at its own time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from support import ROOT, VIGIL, vigil_server, wait_for

sys.path.insert(0, str(ROOT / "tests" / "dashboard"))
import browser  # noqa: E402

SLOS = ["passenger-count-missing", "taxi-accuracy", "taxi-freshness", "taxi-recall", "trip-distance-drift"]


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def report(url, *extra):
    run = subprocess.run([str(VIGIL), "slo", "report", "--server", url, "--json", *extra],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return {e["slo"]["name"]: e["status"]["verdict"] for e in json.loads(run.stdout)["slos"]}


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_the_live_demo_shows_live_values_within_a_minute(tmp_path):
    with vigil_server(tmp_path / "data") as url:
        watch_the_live_demo(url)


def watch_the_live_demo(url):
    demo = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "load-demo"), url, "--for", "90"],
                            env={**os.environ, "VIGIL_BIN": str(VIGIL)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    started = time.time()
    try:
        def estimated():
            try:
                answer = json.loads(get(url + "/v1/models/taxi-tip/estimated-performance?window=7d"))
            except urllib.error.HTTPError:  # the model has not arrived yet
                return False
            return answer.get("count", 0) > 0 and answer["blended"]["accuracy"]["value"] is not None

        wait_for("estimated performance over the last 7 days", estimated, seconds=60)
        wait_for("every example SLO", lambda: set(report(url)) == set(SLOS), seconds=60 - (time.time() - started))
        verdicts = report(url)
        assert all(v != "insufficient_data" for v in verdicts.values()), verdicts
        assert "vigil_slo_sli{" in get(url + "/metrics")
        # Live, a short burn window reads minute buckets (an old one would read a whole hour: docs/slos.md).
        burns = {s["slo"]["name"]: s["status"]["burn_rates"] for s in json.loads(get(url + "/v1/slos"))["slos"]
                 if s.get("status")}
        short = [w for ws in burns.values() for w in ws if w["window"] == "5m"]
        assert short and all(w["resolution"] == "1m" for w in short), burns
        overview = browser.dump_dom(url + "/")
        for name in SLOS:
            overview.find(data_slo=name)
        assert time.time() - started < 60, "the demo took more than a minute to show live values"
        # Live traffic keeps arriving.
        count = json.loads(get(url + "/v1/models"))["models"][0]["predictions"]
        wait_for("a live prediction", lambda: json.loads(get(url + "/v1/models"))["models"][0]["predictions"] > count,
                 seconds=10)
    finally:
        demo.terminate()
        demo.wait(30)


@pytest.mark.skipif(not VIGIL.exists(), reason=f"build vigil first ({VIGIL})")
def test_the_historical_replay_is_judged_at_its_own_time(tmp_path):
    with vigil_server(tmp_path / "data") as url:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "load-demo"), url, "--historical"],
                       env={**os.environ, "VIGIL_BIN": str(VIGIL)}, check=True, capture_output=True, timeout=300)
        subprocess.run([str(VIGIL), "slo", "apply", str(ROOT / "examples" / "slos.yaml"), "--server", url], check=True,
                       capture_output=True, timeout=60)
        # Now (2026) the February 2020 data is years old; at the end of February it is judged.
        at_end = report(url, "--at", "2020-03-01T00:00:00Z")
        assert at_end["taxi-accuracy"] != "insufficient_data" and at_end["taxi-recall"] != "insufficient_data", at_end
        assert report(url)["taxi-accuracy"] == "insufficient_data"
        # A "last 7 days" query says why it is empty and where the data is.
        for path in ("/v1/models/taxi-tip/metrics?window=7d&names=accuracy",
                     "/v1/models/taxi-tip/estimated-performance?window=7d", "/v1/models/taxi-tip/quality?window=7d",
                     "/v1/models/taxi-tip/compare?baseline=v1&candidate=v2&window=7d",
                     "/v1/models/taxi-tip/canary?baseline=v1&candidate=v2&window=7d"):
            note = json.loads(get(url + path))["note"]
            assert "its data runs from 2020-02-01T00:00:00Z" in note and "to=2020-03-01T00:00:00Z" in note, note
        assert "note" not in json.loads(get(url + "/v1/models/taxi-tip/metrics?window=7d&to=2020-03-01T00:00:00Z"))
        assert "note" not in json.loads(
            get(url + "/v1/models/taxi-tip/compare?baseline=v1&candidate=v2&window=7d&to=2020-03-01T00:00:00Z"))
