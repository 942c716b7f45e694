"""What a DAG author meets first: template files for bodies, and arguments checked when the DAG is parsed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred
from airflow.sdk import DAG

from airflow_provider_sendpulse.operators import (
    SendPulseAddContactsOperator,
    SendPulseCreateCampaignOperator,
    SendPulseExportContactsOperator,
    SendPulseInputError,
    validation,
)
from airflow_provider_sendpulse.sensors.events import SendPulseEventSensor

CAMPAIGN = {
    "sender_name": "Shop",
    "sender_email": "sender@example.com",
    "subject": "Hello",
    "list_ids": [1],
}


def render(op: Any, make_context: Any, **extra: Any) -> None:
    context = {**make_context(task_id=op.task_id), "params": {}, **extra}
    op.render_template_fields(context)


def test_a_j2_body_file_is_loaded_from_the_template_search_path(tmp_path: Path, make_context: Any) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "promo.html.j2").write_text(
        "<h1>{{ params.title }}, {{ '{{name}}' }}</h1>{% raw %}<p>{{discount}}</p>{% endraw %}"
    )
    with DAG("promo", schedule=None, start_date=datetime(2026, 1, 1), template_searchpath=[str(tmp_path)]):
        op = SendPulseCreateCampaignOperator(task_id="send", body_html="templates/promo.html.j2", **CAMPAIGN)
    render(op, make_context, params={"title": "Sale"})
    assert op.body_html == "<h1>Sale, {{name}}</h1><p>{{discount}}</p>"
    assert op.build_spec(make_context()).body_html == op.body_html


def test_a_body_file_that_is_missing_names_the_search_path(tmp_path: Path, make_context: Any) -> None:
    with DAG("promo", schedule=None, start_date=datetime(2026, 1, 1), template_searchpath=[str(tmp_path)]):
        op = SendPulseCreateCampaignOperator(task_id="send", body_html="templates/nope.jinja", **CAMPAIGN)
    with pytest.raises(
        SendPulseInputError, match=r"body_html: template file 'templates/nope.jinja' was not found"
    ):
        render(op, make_context)


@pytest.mark.parametrize(
    "body",
    ["templates/promo.mjml", "promo.html.j2 ", "C:\\mail\\promo.tpl", "emails/welcome.txt", "promo.jinja2"],
)
def test_a_body_that_looks_like_a_path_but_was_not_loaded_is_refused(body: str, make_context: Any) -> None:
    op = SendPulseCreateCampaignOperator(task_id="send", body_html=body, **CAMPAIGN)
    with pytest.raises(
        SendPulseInputError, match=r"body_html: .* looks like a file path.*template_searchpath"
    ):
        op.build_spec(make_context())


@pytest.mark.parametrize(
    "body",
    [
        "<p>50% off/today only</p>",
        "Hello and welcome. See you soon",
        "Prices: 10/20.50",
        '<img src="https://example.com/a.png">',
        "Read more at example.com",
        "line one\nnotes/plan.txt",
    ],
)
def test_real_bodies_are_not_mistaken_for_paths(body: str) -> None:
    assert not validation.looks_like_path(body)


def test_intervals_are_templated_and_checked_after_rendering(make_context: Any) -> None:
    op = SendPulseCreateCampaignOperator(
        task_id="send",
        body_html="<p>x</p>",
        wait_for_completion=True,
        deferrable=True,
        poll_interval="{{ params.poll_interval }}",
        wait_timeout="{{ params.wait_timeout }}",
        **CAMPAIGN,
    )
    assert {"poll_interval", "wait_timeout"} <= set(op.template_fields)
    render(op, make_context, params={"poll_interval": 5, "wait_timeout": 120})
    summary = {"id": 7, "status": None}
    with pytest.raises(TaskDeferred) as deferred:
        op.result(make_context(), summary, created=True)
    assert deferred.value.trigger.poll_interval == 5.0  # type: ignore[attr-defined]

    op.poll_interval = "soon"  # what a template rendered
    with pytest.raises(
        SendPulseInputError, match="poll_interval: must be a positive number of seconds, got 'soon'"
    ):
        op.result(make_context(), summary, created=True)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: SendPulseCreateCampaignOperator(
                task_id="c", body_html="<p/>", poll_interval=-1, **CAMPAIGN
            ),
            "poll_interval: must be a positive number of seconds, got -1",
        ),
        (
            lambda: SendPulseCreateCampaignOperator(
                task_id="c", body_html="<p/>", wait_timeout="1h", **CAMPAIGN
            ),
            "wait_timeout: must be a positive number of seconds, got '1h'",
        ),
        (
            lambda: SendPulseCreateCampaignOperator(task_id="c", body_html="<p/>", draft="yes", **CAMPAIGN),
            "draft: must be True or False, got 'yes'",
        ),
        (
            lambda: SendPulseAddContactsOperator(task_id="a", list_id=1, contacts=[], batch_size="{{ x }}"),
            r"batch_size: must be a positive integer, got '\{\{ x \}\}'",
        ),
        (
            lambda: SendPulseAddContactsOperator(task_id="a", list_id=1, contacts=[], delimiter=";;"),
            "delimiter: must be one character",
        ),
        (
            lambda: SendPulseExportContactsOperator(task_id="e", list_id=1, path="x.csv", file_format="xlsx"),
            "file_format: must be None, 'csv' or 'jsonl', got 'xlsx'",
        ),
        (
            lambda: SendPulseEventSensor(task_id="s", event_type="new_campaign", max_events="{{ params.n }}"),
            r"max_events: must be a positive integer, got '\{\{ params.n \}\}'",
        ),
        (
            lambda: SendPulseEventSensor(task_id="s", event_type="new_campaign", poke_interval="often"),
            "poke_interval: must be a positive number of seconds, got 'often'",
        ),
    ],
)
def test_non_templated_arguments_are_checked_when_the_dag_is_parsed(build: Any, message: str) -> None:
    with pytest.raises(SendPulseInputError, match=message):
        build()


def test_one_reader_for_what_jinja_renders() -> None:
    assert validation.rendered_list("[1, 2]") == [1, 2]
    assert validation.rendered_list("1, 2") == ["1", "2"]
    assert validation.rendered_list("['380501234567', '380501234568']") == ["380501234567", "380501234568"]
    assert validation.rendered_list("(3, 4)") == [3, 4]
    assert validation.rendered_list([5]) == [5]
    assert validation.rendered_value("{'name': 'Ann'}") == {"name": "Ann"}
    assert validation.rendered_value('{"name": "Ann"}') == {"name": "Ann"}
    assert validation.rendered_value("[not json") == "[not json"
