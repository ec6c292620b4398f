"""The web dashboard in a real headless Chromium, against a real `vigil serve` holding the taxi fixture.

Every number the pages show is compared with the API's answer for the same range (or, for the calibration
curve, with numpy on the fixture's CSV files): the page carries each exact value in a `data-value` attribute
beside the rounded text people read.
"""

import html
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

from support import ROOT, VIGIL, free_port  # noqa: E402
FIXTURE = ROOT / "Tests" / "Fixtures" / "taxi"
LATEST_END = "2020-03-01T00:00:00Z"  # the hour after the fixture's last prediction (2020-02-29T23:59:59Z)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("vigil-dashboard")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(data / "server.log", "w")
    proc = subprocess.Popen([str(VIGIL), "serve", "--port", str(port), "--data", str(data / "store"),
                             "--slos", str(ROOT / "examples" / "slos.yaml")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if api(url, "/readyz")["status"] == "ready":
                    break
            except (OSError, urllib.error.HTTPError):
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError(f"vigil serve did not start: {(data / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "load-demo"), url, "--historical"], check=True, capture_output=True)
        request = urllib.request.Request(url + "/v1/models/taxi-tip/reference",
                                         (FIXTURE / "reference.csv").read_bytes(), method="PUT")
        urllib.request.urlopen(request, timeout=60).read()
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def api(url, path, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    with urllib.request.urlopen(url + path + query, timeout=60) as r:
        return json.loads(r.read())


def page_range(dom):
    line = dom.find("p", id="range")
    return line.attrs["data-from"], line.attrs["data-to"]


def test_overview_shows_each_model_with_the_apis_numbers(server):
    dom = browser.dump_dom(server + "/")
    start, end = page_range(dom)
    # The fixture is February 2020: with no recent events the page ends at the latest one, not now.
    assert end == LATEST_END and start == "2020-01-31T00:00:00Z"
    assert "showing the 30d up to the latest event, 2020-02-29 23:59 UTC" in dom.find("p", class_="note").text

    card = dom.find("section", data_model="taxi-tip")
    m = api(server, "/v1/models/taxi-tip/metrics", **{"from": start, "to": end, "names": "count,label_coverage,accuracy"})
    values = m["window"]["metrics"]
    assert card.find(data_k="predictions").value() == values["count"]["value"] == 20000
    assert card.find(data_k="label_coverage").value() == values["label_coverage"]["value"]
    assert card.find(data_k="accuracy").value() == values["accuracy"]["value"]
    last_hour = api(server, "/v1/models/taxi-tip/metrics",
                    **{"from": "2020-02-29T23:00:00Z", "to": end, "names": "count"})
    assert card.find(data_k="rate").value() == pytest.approx(last_hour["window"]["metrics"]["count"]["value"] / 3600)

    slos = {s["slo"]["name"]: s["status"] for s in api(server, "/v1/slos", to=end)["slos"]}
    rows = card.find_all("tr", data_slo=True)
    assert sorted(r.attrs["data-slo"] for r in rows) == sorted(slos)
    for row in rows:
        status = slos[row.attrs["data-slo"]]
        assert row.find(data_k="verdict").attrs["data-value"] == status["verdict"]
        assert row.find(data_k="value").value() == status["value"]["value"]
        interval = row.find(data_k="interval")
        assert (interval.attrs["data-lower"] or None) == (None if status["value"].get("lower") is None
                                                           else repr(status["value"]["lower"]))
        if status.get("budget"):
            assert row.find(data_k="budget").value() == status["budget"]["remaining_fraction"]
    # The fixture's drift and missing passenger counts breach their SLOs by the end of February.
    assert slos["trip-distance-drift"]["verdict"] == "breached"


def test_model_page_matches_the_metrics_api(server):
    dom = browser.dump_dom(server + "/models/taxi-tip?metric=accuracy")
    start, end = page_range(dom)
    answer = api(server, "/v1/models/taxi-tip/metrics", **{"from": start, "to": end})
    window = answer["window"]
    rows = dom.find("table", class_="metrics").find_all("tr", data_metric=True)
    assert [r.attrs["data-metric"] for r in rows] == answer["names"]  # every metric, in the API's order
    for row in rows:
        expected = window["metrics"][row.attrs["data-metric"]]
        assert row.find("td", data_value=True).value() == expected.get("value"), row.attrs["data-metric"]
        assert int(row.find("td", data_n=True).attrs["data-n"]) == expected["n"]

    series = api(server, "/v1/models/taxi-tip/metrics", **{"from": start, "to": end, "step": "12h", "names": "accuracy"})
    table = dom.find("table", class_="series")
    shown = [(r.attrs["data-from"], r.find("td", data_value=True).value()) for r in table.find_all("tr", data_from=True)]
    assert shown == [(s["from"], s["metrics"]["accuracy"].get("value")) for s in series["series"]]
    assert len(shown) == 60
    assert len(dom.find_all("svg")) == 3  # the series, realized vs estimated, calibration

    c = window["confusion"]
    cells = {(td.attrs["data-truth"], td.attrs["data-predicted"]): td.value()
             for td in dom.find("table", id="confusion").find_all("td", data_truth=True)}
    assert cells == {("0", "0"): c["tn"], ("0", "1"): c["fp"], ("1", "0"): c["fn"], ("1", "1"): c["tp"]}


def test_model_page_filters_by_version_and_rolls_windows(server):
    dom = browser.dump_dom(server + "/models/taxi-tip?metric=recall&version=v2&range=7d&to=2020-03-01T00:00:00Z&step=1d")
    start, end = page_range(dom)
    assert (start, end) == ("2020-02-23T00:00:00Z", "2020-03-01T00:00:00Z")
    series = api(server, "/v1/models/taxi-tip/metrics",
                 **{"from": start, "to": end, "step": "1d", "names": "recall", "version": "v2"})
    shown = [r.find("td", data_value=True).value() for r in dom.find("table", class_="series").find_all("tr", data_from=True)]
    assert shown == [s["metrics"]["recall"].get("value") for s in series["series"]]

    # Label lags read as durations in the table, the tooltips and the axis, with the API's seconds behind them.
    lag = browser.dump_dom(server + "/models/taxi-tip?metric=label_lag_p50&range=7d&to=2020-03-01T00:00:00Z&step=1d")
    cells = [r.find("td", data_value=True) for r in lag.find("table", class_="series").find_all("tr", data_from=True)]
    seconds = api(server, "/v1/models/taxi-tip/metrics", **{"from": start, "to": end, "step": "1d", "names": "label_lag_p50"})
    assert [c.value() for c in cells] == [s["metrics"]["label_lag_p50"].get("value") for s in seconds["series"]]
    assert sum(c.value() is not None for c in cells) >= 5
    for cell in cells:
        if cell.value() is not None:
            number, unit = cell.text.split()
            factor = {"s": 1, "min": 60, "h": 3600, "d": 86400}[unit]
            assert abs(float(number) * factor - cell.value()) <= 0.05 * factor, cell.text

    rolling = browser.dump_dom(server + "/models/taxi-tip?metric=accuracy&rolling=7d&range=7d&to=2020-03-01T00:00:00Z&step=1d")
    rows = rolling.find("table", class_="series").find_all("tr", data_from=True)
    last = api(server, "/v1/models/taxi-tip/metrics", window="7d", to="2020-03-01T00:00:00Z", names="accuracy")
    assert rows[-1].find("td", data_value=True).value() == last["window"]["metrics"]["accuracy"]["value"]


def test_estimated_performance_matches_the_api(server):
    dom = browser.dump_dom(server + "/models/taxi-tip?range=7d&to=2020-03-01T00:00:00Z&step=1d")
    rows = dom.find("table", class_="estimation").find_all("tr")[1:]
    assert len(rows) == 7
    for day, row in enumerate(rows):
        start = f"2020-02-{23 + day:02d}T00:00:00Z"
        stop = "2020-03-01T00:00:00Z" if day == 6 else f"2020-02-{24 + day:02d}T00:00:00Z"
        e = api(server, "/v1/models/taxi-tip/estimated-performance", **{"from": start, "to": stop})
        realized, estimated, coverage = row.find_all("td", data_value=True)
        assert realized.value() == e["realized"]["accuracy"]
        assert estimated.value() == e["blended"]["accuracy"]["value"]
        assert coverage.value() == e["label_coverage"]


def test_calibration_curve_matches_numpy(server):
    dom = browser.dump_dom(server + "/models/taxi-tip")
    p = pd.read_csv(FIXTURE / "predictions.csv")
    f = pd.read_csv(FIXTURE / "feedback.csv").sort_values("timestamp", kind="stable").groupby("id").last()
    labeled = p.merge(f[["label"]], left_on="id", right_index=True)  # the latest label wins
    bins = np.minimum(np.round(labeled.score.values * 10000).astype(int) // 1000, 9)  # exact on 4-decimal scores
    count = np.bincount(bins, minlength=10)
    mean_score = np.bincount(bins, weights=labeled.score, minlength=10) / count
    positive = np.bincount(bins, weights=labeled.label, minlength=10) / count
    rows = dom.find("table", class_="calibration").find_all("tr")[1:]
    assert [r.find_all("td", data_value=True)[0].value() for r in rows] == list(count)
    for b, row in enumerate(rows):
        _, s, y = row.find_all("td", data_value=True)
        assert s.value() == pytest.approx(mean_score[b], rel=1e-12)
        assert y.value() == pytest.approx(positive[b], rel=1e-12)
    ece = np.sum(np.abs(np.bincount(bins, weights=labeled.label, minlength=10)
                        - np.bincount(bins, weights=labeled.score, minlength=10))) / count.sum()
    assert dom.find(data_k="ece").value() == pytest.approx(ece, rel=1e-12)


def test_drift_page_ranks_columns_like_the_api_and_names_violations(server):
    dom = browser.dump_dom(server + "/models/taxi-tip/drift?range=7d&to=2020-03-01T00:00:00Z")
    start, end = page_range(dom)
    drift = api(server, "/v1/models/taxi-tip/drift", **{"from": start, "to": end})
    rows = dom.find("table", class_="drift").find_all("tr", data_column=True)
    expected = drift["columns"] + drift["outputs"]
    assert [r.attrs["data-column"] for r in rows] == [c["column"] for c in expected]
    for row, c in zip(rows, expected):
        assert row.find(data_k="verdict").attrs["data-value"] == c["verdict"]
        assert row.find(data_k="value").value() == c.get("value")
    assert dom.find(data_k="drifted").value() == len(drift["drifted"])
    # The fixture's last week: longer trips and a new payment type.
    assert {"trip_distance", "fare_amount", "payment_type"} <= set(drift["drifted"])
    assert len(dom.find_all("section", class_="card colcard")) == len(expected)

    quality = api(server, "/v1/models/taxi-tip/quality", **{"from": start, "to": end})
    messages = [v["message"] for c in quality["columns"] + quality["outputs"] for v in c["violations"]]
    shown = [td.text for td in dom.find("table", class_="violations").find_all("td", class_="message")]
    assert shown == messages
    payment = dom.find("tr", data_column="payment_type", data_rule="categories")
    assert "crypto" in payment.find("td", class_="examples").text


def test_slo_page_shows_budgets_burn_rates_and_the_apis_status(server):
    dom = browser.dump_dom(server + "/models/taxi-tip/slos")
    _, end = page_range(dom)
    cards = dom.find_all("section", data_slo=True)
    assert len(cards) == len(api(server, "/v1/slos")["slos"])
    for card in cards:
        status = api(server, f"/v1/slos/{card.attrs['data-slo']}", to=end)["status"]
        assert card.find(data_k="verdict").attrs["data-value"] == status["verdict"]
        assert card.find(data_k="value").value() == status["value"]["value"]
        if status.get("budget"):
            assert card.find(data_k="budget").value() == status["budget"]["remaining_fraction"]
        burns = {r.attrs["data-window"]: r.find_all("td", data_value=True) for r in card.find_all("tr", data_window=True)}
        assert sorted(burns) == sorted(w["window"] for w in status["burn_rates"])
        for w in status["burn_rates"]:
            sli, rate, resolution = burns[w["window"]]
            assert sli.value() == w["sli"]["value"]
            assert rate.value() == w.get("burn_rate")
            # The fixture is years old: its minute buckets are pruned, so no window reads minutes.
            assert resolution.attrs["data-value"] == w["resolution"] and w["resolution"] in ("1h", "1d")
        if "5m" in burns:
            five = next(w for w in status["burn_rates"] if w["window"] == "5m")
            note = card.find(data_k="burn-note").text
            assert "5m" in note and f"read {five['resolution']} buckets" in note
        assert len(card.find_all("svg")) == 2  # budget burn-down and SLI


def test_bad_input_gets_an_html_error_naming_the_problem(server):
    for path, status, words in [("/models/nope", 404, "unknown model 'nope'; known models: taxi-tip"),
                                ("/models/taxi-tip?range=forever", 400, "invalid duration 'forever'"),
                                ("/models/taxi-tip?metric=speed", 400, "unknown metric 'speed'"),
                                ("/?colour=red", 400, "unknown query parameter 'colour'")]:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(server + path, timeout=30)
        assert caught.value.code == status
        assert caught.value.headers["Content-Type"].startswith("text/html")
        assert words in html.unescape(caught.value.read().decode())


def put(url, path, body):
    request = urllib.request.Request(url + path, json.dumps(body).encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def test_versions_page_matches_the_compare_api_and_charts_mark_deployments(server):
    put(server, "/v1/models/taxi-tip/deployments/v1", {"stage": "primary", "traffic_share": 0.95,
                                                       "started_at": "2020-02-01T00:00:00Z"})
    put(server, "/v1/models/taxi-tip/deployments/v2", {"stage": "canary", "traffic_share": 0.05,
                                                       "started_at": "2020-02-15T00:00:00Z", "code_ref": "9f2c1e7"})
    dom = browser.dump_dom(server + "/models/taxi-tip/versions?range=30d&to=2020-03-01T00:00:00Z&by=segment.payment_type")
    start, end = page_range(dom)
    answer = api(server, "/v1/models/taxi-tip/compare", baseline="v1", candidate="v2", by="segment.payment_type",
                 **{"from": start, "to": end})
    canary = api(server, "/v1/models/taxi-tip/canary", baseline="v1", candidate="v2", by="segment.payment_type",
                 **{"from": start, "to": end})
    assert dom.find(data_k="canary").attrs["data-value"] == canary["verdict"]
    assert dom.find(data_k="recommendation").text == canary["recommendation"]
    rows = dom.find("table", class_="comparison").find_all("tr", data_metric=True)
    expected = [(s["segment"]["key"] + ":" + s["segment"]["value"] if s.get("segment") else "overall", m)
                for s in answer["slices"] for m in s["metrics"]]
    assert [(r.attrs["data-segment"], r.attrs["data-metric"]) for r in rows] == [(s, m["metric"]) for s, m in expected]
    for row, (_, m) in zip(rows, expected):
        assert row.find("td", data_value=True).value() == (m.get("difference") or {}).get("estimate")
        assert row.find(data_k="verdict").text == m["verdict"]
        assert row.find(data_k="sequential").text == m["sequential"]["verdict"] if m.get("sequential") else True
    deployments = {r.attrs["data-version"] for r in dom.find("section", id="deployments").find_all("tr", data_version=True)}
    assert deployments == {"v1", "v2"}
    # Every time chart of the model page marks v2's start (Feb 15, the middle of the range).
    model = browser.dump_dom(server + "/models/taxi-tip?range=30d&to=2020-03-01T00:00:00Z")
    at = str(1_581_724_800_000)  # 2020-02-15T00:00:00Z
    charts = [svg for svg in model.find_all("svg") if svg.find_all("g", class_="change-marker")]
    assert len(charts) == 2  # the series and realized-vs-estimated (calibration has no time axis)
    assert all(any(g.attrs["data-at"] == at for g in svg.find_all("g", class_="change-marker")) for svg in charts)


def test_settings_page_shows_the_declaration_and_offers_its_forms(server):
    body = json.dumps({"task": "binary", "owner": "fares-team", "description": "Tip over 20 %?"}).encode()
    request = urllib.request.Request(server + "/v1/models/taxi-tip", body, method="PUT")
    urllib.request.urlopen(request, timeout=60).read()
    model = api(server, "/v1/models/taxi-tip")
    dom = browser.dump_dom(server + "/models/taxi-tip/settings")
    assert dom.find(data_k="task").text == model["task"] == "binary"
    assert dom.find(data_k="owner").text == "fares-team"
    assert dom.find(data_k="description").text == "Tip over 20 %?"
    assert dom.find(data_k="predictions").text.replace(",", "") == str(model["predictions"])
    actions = {f.attrs["action"] for f in dom.find_all("form", method="post")}
    assert actions == {"/models/taxi-tip/settings", "/models/taxi-tip/delete"}
    assert dom.find("input", name="confirm").attrs.get("required") is not None
    # The overview offers to declare a model before its first event.
    overview = browser.dump_dom(server + "/")
    assert overview.find("form", action="/models").find("input", name="name")


def test_screenshots_of_every_page(server, tmp_path):
    out = tmp_path / "img"
    subprocess.run([str(ROOT / "scripts" / "screenshots"), server, str(out)], check=True, capture_output=True)
    for name in ["overview", "model", "drift", "slos", "versions"]:
        png = (out / f"dashboard-{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, name
