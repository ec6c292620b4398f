"""Declaring a model from Python before its first event: the task holds for hard predictions, the owner and
description are kept, another task is refused with the way out, and a deleted model can start over."""

from __future__ import annotations

import pytest

import vigil


def test_declare_send_and_delete(server):
    client = vigil.Client(server.url)
    declared = client.declare_model("clicks", "binary", owner="growth", description="Will the user click?")
    assert declared["task"] == "binary" and declared["owner"] == "growth"
    client.log_predictions([{"id": f"c{i}", "prediction": i % 2} for i in range(4)], model="clicks")
    client.log_feedback_batch([{"id": f"c{i}", "label": 1} for i in range(4)])
    frame = client.metrics("clicks", ["accuracy"])
    assert frame.loc[frame.metric == "accuracy", "value"].iloc[0] == 0.5
    with pytest.raises(vigil.APIError, match="DELETE /v1/models/clicks"):
        client.declare_model("clicks", "regression")
    client.delete_model("clicks")
    assert client.declare_model("clicks", "regression")["task"] == "regression"
    assert client.model("clicks").get("owner") is None
