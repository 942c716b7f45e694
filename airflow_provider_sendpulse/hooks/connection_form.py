"""The ``sendpulse`` connection form for Airflow versions that build it from hook methods (3.1).

Airflow 3.2 and later read the form from ``get_provider_info()``; Airflow 3.1 calls the hook's
``get_connection_form_widgets()`` and ``get_ui_field_behaviour()``. Both are derived here from the
provider info so the form is declared exactly once.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_sendpulse import get_provider_info


def _connection_type_info() -> dict[str, Any]:
    info: dict[str, Any] = next(
        ct for ct in get_provider_info()["connection-types"] if ct["connection-type"] == "sendpulse"
    )
    return info


def ui_field_behaviour() -> dict[str, Any]:
    """Hidden, relabelled and placeholder fields in the snake_case form Airflow 3.1 expects."""
    behaviour = _connection_type_info()["ui-field-behaviour"]
    return {key.replace("-", "_"): value for key, value in behaviour.items()}


def connection_form_widgets() -> dict[str, Any]:
    """WTForms fields for the connection's extras (imported lazily: only the UI has these packages)."""
    from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
    from flask_babel import lazy_gettext
    from wtforms import BooleanField, IntegerField, PasswordField, StringField
    from wtforms.validators import Optional

    widgets: dict[str, Any] = {}
    for name, spec in _connection_type_info()["conn-fields"].items():
        schema = spec["schema"]
        label = lazy_gettext(spec["label"])
        common = {"validators": [Optional()], "description": spec.get("description", "")}
        if schema.get("format") == "password":
            field = PasswordField(label, widget=BS3PasswordFieldWidget(), **common)
        elif "boolean" in schema["type"]:
            field = BooleanField(label, default=bool(schema.get("default")), **common)
        elif "integer" in schema["type"]:
            field = IntegerField(label, widget=BS3TextFieldWidget(), default=schema.get("default"), **common)
        else:
            default = schema.get("default")
            field = StringField(
                label,
                widget=BS3TextFieldWidget(),
                default=None if default is None else str(default),
                **common,
            )
        widgets[name] = field
    return widgets
