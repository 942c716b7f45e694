"""Write docs/operators.md from the operators' and sensors' docstrings and class attributes.

    .venv/bin/python scripts/operator_reference.py          # rewrite the page
    .venv/bin/python scripts/operator_reference.py --check  # exit 1 when the committed page is stale

Each class gets its summary, its parameters (``:param name:`` lines, its own and those its provider base
classes document, marked when the name is in ``template_fields``), the file extensions read as templates,
and its return value (``:return:``).
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "operators.md"
MODULES = (
    "airflow_provider_sendpulse.operators.mailing_lists",
    "airflow_provider_sendpulse.operators.contacts",
    "airflow_provider_sendpulse.operators.campaigns",
    "airflow_provider_sendpulse.operators.sms",
    "airflow_provider_sendpulse.operators.api",
    "airflow_provider_sendpulse.operators.chatbots",
    "airflow_provider_sendpulse.operators.automation",
    "airflow_provider_sendpulse.operators.smtp",
    "airflow_provider_sendpulse.operators.verifier",
    "airflow_provider_sendpulse.operators.crm",
    "airflow_provider_sendpulse.sensors.events",
    "airflow_provider_sendpulse.sensors.campaigns",
)
_FIELD_RE = re.compile(r"^:(param|return)\s*(\w*)\s*:\s*(.*)$")


def public_classes() -> list[type]:
    """The operator and sensor classes a DAG author uses, in page order."""
    import importlib

    found: list[type] = []
    for name in MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == name
                and not cls.__name__.startswith("_")
                and cls.__name__.endswith(("Operator", "Sensor"))
            ):
                found.append(cls)
    return found


def parse_docstring(doc: str) -> tuple[str, dict[str, str], str | None]:
    """``(text before the fields, {param: description}, return description)``."""
    lines = inspect.cleandoc(doc).splitlines()
    text: list[str] = []
    params: dict[str, str] = {}
    returns: str | None = None
    current: tuple[str, str] | None = None
    for line in lines:
        match = _FIELD_RE.match(line)
        if match:
            kind, name, rest = match.groups()
            current = (kind, name)
            if kind == "param":
                params[name] = rest
            else:
                returns = rest
        elif current is not None and line.startswith(" "):
            kind, name = current
            if kind == "param":
                params[name] += " " + line.strip()
            else:
                returns = f"{returns} {line.strip()}"
        elif current is None:
            text.append(line)
    return "\n".join(text).strip(), params, returns


def inherited_params(cls: type) -> dict[str, str]:
    """Parameters documented on the provider's base classes (e.g. ``list_id`` on the mailing-list base)."""
    params: dict[str, str] = {}
    for base in reversed(cls.__mro__[1:]):
        if base.__module__.startswith("airflow_provider_sendpulse.") and "__doc__" in vars(base):
            params.update(parse_docstring(base.__doc__ or "")[1])
    return params


def render() -> str:
    """The whole page."""
    out = [
        "# Operator and sensor reference",
        "",
        "Generated from the docstrings by `scripts/operator_reference.py`; do not edit by hand (a test",
        "fails when this page and the code disagree). Templated parameters take Jinja (`{{ ... }}`);",
        "without `render_template_as_native_obj` a rendered list, number or mapping arrives as text and",
        "is read back.",
        "",
    ]
    for cls in public_classes():
        summary, params, returns = parse_docstring(cls.__doc__ or "")
        inherited = {k: v for k, v in inherited_params(cls).items() if k not in params}
        params = {**inherited, **params}
        templated = set(getattr(cls, "template_fields", ()))
        out += [f"## `{cls.__name__}`", "", f"`{cls.__module__}.{cls.__name__}`", "", summary, ""]
        if params:
            out += ["| parameter | templated | description |", "|---|---|---|"]
            for name, description in params.items():
                mark = "yes" if name in templated else ""
                cell = description.replace("|", "\\|")
                out.append(f"| `{name}` | {mark} | {cell} |")
            out.append("")
        undocumented = sorted(templated - set(params))
        if undocumented:
            out += [f"Also templated: {', '.join(f'`{n}`' for n in undocumented)}.", ""]
        extensions = getattr(cls, "template_ext", ())
        if extensions:
            names = ", ".join(f"`{e}`" for e in extensions)
            out += [f"Template files: templated values ending in {names} are read as files.", ""]
        if returns:
            out += [f"**Returns** {returns}", ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed page is stale")
    args = parser.parse_args()
    page = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text() != page:
            print(f"{PAGE} is stale; run scripts/operator_reference.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
