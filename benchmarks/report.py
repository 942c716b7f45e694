"""Turn a benchmark results document into ``latest.md`` (tables) and ``import_throughput.png`` (chart).

    python benchmarks/report.py [benchmarks/results/latest.json]   # re-render from a saved run

The chart needs matplotlib (the ``bench`` extra); without it only the JSON and Markdown files are written.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
JSON_NAME, MARKDOWN_NAME, CHART_NAME = "latest.json", "latest.md", "import_throughput.png"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _n(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def render_markdown(results: dict[str, Any]) -> str:
    """Markdown tables of every figure in ``results``, with units and the machine."""
    m = results["machine"]
    v = m.get("versions", {})
    out = [
        "# Benchmark results",
        "",
        f"Command: `{results['command']}` ({results['mode']} run, {results['started_at']}, "
        f"{results['duration_s']:.0f} s). Everything runs on loopback against the emulator, which runs "
        "in its own process.",
        "",
        f"Machine: {m['cpu']}, {m['logical_cores']} logical cores, {m['ram_gib']} GiB RAM; {m['os']}; "
        f"Python {m['python']}, Airflow {v.get('apache-airflow', '?')}, "
        f"airflow-provider-sendpulse {v.get('airflow-provider-sendpulse', '?')}, "
        f"pysendpulse {v.get('pysendpulse', '?')}.",
        "",
    ]
    for name in results.get("failed", []):
        out += [f"**{name} failed**: {results[name]['error']}", ""]
    targets = results.get("targets", [])
    if targets:
        out += ["## Targets", ""]
        out += _table(
            ["Target", "Wanted", "Measured", "Met"],
            [[t["name"], t["target"], t["measured"], "yes" if t["met"] else "**no**"] for t in targets],
        )
    imp = results.get("import")
    if imp and "error" not in imp:
        out += [
            "## 1. Bulk import",
            "",
            f"One list, batches of {imp['batch_size']:,} contacts, emulator limiting at "
            f"{imp['rate_limit_rps']} requests/s: ceiling {imp['ceiling_contacts_per_s']:,.0f} contacts/s. "
            "Clients: *operator* = `SendPulseAddContactsOperator` reading a CSV file (validation pass, "
            "then sending); *hook* = `SendPulseHook.add_contacts` fed by `csv.DictReader`; *pysendpulse* = "
            "`add_emails_to_addressbook` in a loop over the same file. Medians over the "
            "repeats; contacts/s counts contacts that landed in the list; peak memory is the peak RSS "
            "of the process that ran the job.",
            "",
        ]
        out += _table(
            [
                "Client",
                "Rows",
                "Runs",
                "Requests",
                "Wall (s)",
                "Sending (s)",
                "Contacts/s",
                "Of ceiling",
                "429 answers",
                "Token mints",
                "In list",
                "Peak RSS (MiB)",
                "Job memory (MiB)",
            ],
            [
                [
                    s["client"],
                    _n(s["rows"]),
                    s["repeats"],
                    _n(s["requests"]),
                    _n(s["wall_s"], 1),
                    _n(s.get("send_phase_s"), 1),
                    _n(s["contacts_per_s"]),
                    f"{s['fraction_of_ceiling']:.1%}",
                    _n(s["rate_limited"]),
                    s["token_mints"],
                    f"{_n(s['in_list'])} ({s['landed_fraction']:.1%})",
                    _n(s["rss_peak_mib"], 1),
                    _n(s["job_memory_mib"], 1),
                ]
                for s in imp["summary"]
            ],
        )
        out += [
            f"Operator peak memory from the smallest to the largest import: "
            f"{imp['operator_memory_growth_mib']:+.1f} MiB. Requests include the token mint and any "
            "answered 429. Sending = first to last request in the emulator's log (the rest of the wall "
            "time is start-up and, for the operator, the validation pass). An unpaced client can exceed "
            "the ceiling over a run shorter than a few seconds while most of its batches are refused. "
            "Chart: `import_throughput.png`.",
            "",
        ]
    poll = results.get("idle_poll")
    if poll and "error" not in poll:
        out += [
            "## 2. Idle poll (`new_subscriber`)",
            "",
            "Requests one poll sends when nothing changed (from the emulator's request log), against a "
            "naive poll that pages through the whole list (100 per page) and diffs it with the last "
            "scan. Seconds at the rate limit = requests / limit.",
            "",
        ]
        out += _table(
            [
                "Contacts in list",
                "Provider (requests)",
                "Provider, 10 new (requests)",
                "Naive scan (requests)",
                "Naive at the limit (s)",
                "Naive unthrottled (s)",
            ],
            [
                [
                    _n(r["contacts"]),
                    r["idle_poll_requests"],
                    r["poll_with_10_new_requests"],
                    _n(r["naive_idle_poll_requests"]),
                    _n(r["naive_poll_s_at_rate_limit"], 1),
                    _n(r["naive_poll_s_unthrottled"], 2),
                ]
                for r in poll["sizes"]
            ],
        )
    chat = results.get("chatbot_poll")
    if chat and "error" not in chat:
        out += [
            "## Chatbot poll (`chatbot_incoming_message`)",
            "",
            "Requests one poll of a Telegram bot sends (emulator's request log, token calls left out): "
            "idle, after the bot replied to one contact, and with 10 new inbound messages in 10 dialogs.",
            "",
        ]
        out += _table(
            ["Dialogs", "Idle (requests)", "After a reply (requests)", "10 new (requests)", "Events"],
            [
                [
                    _n(r["dialogs"]),
                    r["idle_poll_requests"],
                    r["after_reply_requests"],
                    r["poll_with_10_new_requests"],
                    r["events_10_new"],
                ]
                for r in chat["sizes"]
            ],
        )
    crm = results.get("crm_poll")
    if crm and "error" not in crm:
        out += [
            "## 2b. CRM event polls",
            "",
            "Requests one poll of each CRM event type sends (the token mint left out): idle, and after 10 "
            "deals or contacts changed (plus 2 created). Deals filter on `updatedAt`/`createdAt` and sort "
            "on it; moves and status changes read each changed deal's history. Contacts filter by day: "
            "`crm_contact_updated` reads every contact changed since the position's day (see docs/crm.md).",
            "",
        ]
        out += _table(
            ["Event type", "Records", "Idle (requests)", "10 changed (requests)", "Events", "Idle poll (s)"],
            [
                [
                    r["event_type"],
                    r.get("contacts") or f"{_n(r['records'])} deals",
                    r["idle_requests"],
                    r["changed_requests"],
                    r["changed_events"],
                    _n(r["idle_s"], 3),
                ]
                for r in crm["deals"] + crm["contacts"]
            ],
        )
    fleet = results.get("fleet")
    if fleet and "error" not in fleet:
        out += [
            "## 3. Trigger fleet",
            "",
            "`SendPulseEventTrigger(new_subscriber)` instances in one event loop against one emulator; "
            "new contacts arrive halfway. *unthrottled*: client and emulator limits off, so every trigger "
            "polls every interval. *account_limit*: the client's limit and the emulator's at the "
            "account's rate. Stall = longest lateness of a 10 ms sleep probe. Peak rate = most requests "
            "the emulator logged in any sliding one-second window.",
            "",
        ]
        out += _table(
            [
                "Phase",
                "Triggers",
                "Seconds",
                "Poll interval (s)",
                "API requests",
                "Memory/trigger (KiB)",
                "Longest stall (ms)",
                "Token mints",
                "Peak (requests/s)",
                "429 answers",
                "Batches fired",
            ],
            [
                [
                    name,
                    _n(f["triggers"]),
                    _n(f["seconds"], 1),
                    _n(f["poll_interval_s"], 1),
                    _n(f["api_requests"]),
                    _n(f["memory_per_trigger_kib"], 1),
                    _n(f["longest_loop_stall_ms"], 1),
                    f["token_mints"],
                    _n(f["peak_requests_per_s"]),
                    _n(f["rate_limited"]),
                    _n(f["batches_fired"]),
                ]
                for name, f in fleet.items()
            ],
        )
    hook = results.get("hook_overhead")
    if hook and "error" not in hook:
        out += [
            "## 4. Hook overhead",
            "",
            f"`{hook['route']}` through `SendPulseHook.count_contacts` against a bare `requests.Session` "
            f"with the same token, alternating call by call; median of {hook['runs']} runs x "
            f"{hook['calls_per_run']} calls each (client-side limit raised so it does not pace the calls).",
            "",
        ]
        out += _table(
            [
                "Hook (ms/call)",
                "Bare session (ms/call)",
                "Ratio",
                "Overhead (us/call)",
                "Client alone (us/call)",
            ],
            [
                [
                    _n(hook["hook_ms"], 3),
                    _n(hook["bare_session_ms"], 3),
                    f"{hook['ratio']:.2f}x",
                    _n(hook["overhead_us"], 0),
                    _n(hook["client_cost_without_network_us"], 1),
                ]
            ],
        )
    cost = results.get("import_cost")
    if cost and "error" not in cost:
        out += [
            "## 5. Import cost in a DAG file",
            "",
            f"Each module imported in a fresh process after Airflow's own imports; median of {cost['runs']} "
            "processes per cell (see `benchmarks/import_cost.py`).",
            "",
            *_import_cost_table(cost),
            "",
        ]
    events = results.get("events")
    if events and "error" not in events:
        from automation_events import markdown

        out += markdown(events)
    multi = results.get("multi_process")
    if multi and "error" not in multi:
        from multi_process import markdown

        out += markdown(multi)
    return "\n".join(out).rstrip() + "\n"


def _import_cost_table(cost: dict[str, Any]) -> list[str]:
    """The import-cost table, drawn by ``benchmarks/import_cost.py``."""
    import import_cost

    lines: list[str] = import_cost.markdown(cost)
    return lines


def write_chart(results: dict[str, Any], path: Path) -> bool:
    """Contacts accepted over time by each client against the ceiling; False without matplotlib."""
    imp = results.get("import")
    if not imp or "error" in imp:
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    runs = [r for r in imp["runs"] if r.get("series")]
    if not runs:
        return False
    ceiling = imp["ceiling_contacts_per_s"]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    end = max(point[0] for r in runs for point in r["series"])
    ax.plot([0, end], [0, ceiling * end], "--", color="grey", label=f"ceiling ({ceiling:,.0f} contacts/s)")
    ax.plot([0, end], [0, 0.9 * ceiling * end], ":", color="tab:red", label="90% of the ceiling")
    for run, color in zip(runs, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=False):
        xs, ys = zip(*run["series"], strict=True)
        label = (
            f"{run['client']}: {run['contacts_per_s']:,.0f} contacts/s, "
            f"{run['in_list']:,} of {run['rows']:,} landed, {run['rate_limited']} x 429"
        )
        ax.step(xs, ys, where="post", color=color, label=label)
        if run["in_list"] < run["rows"]:
            ax.annotate(
                f"{run['client']} is done after {xs[-1]:.1f} s: {run['rows'] - run['in_list']:,} refused",
                xy=(xs[-1], ys[-1]),
                xytext=(end * 0.4, run["rows"] * 0.05),
                arrowprops={"arrowstyle": "->", "color": color},
                color=color,
                fontsize=8,
            )
    rows = max(r["rows"] for r in runs)
    ax.set_ylim(0, rows * 1.1)
    ax.set_xlim(0, end * 1.02)
    ax.set_xlabel("seconds since the job started")
    ax.set_ylabel("contacts accepted")
    ax.set_title(
        f"Importing {rows:,} contacts, batches of {imp['batch_size']:,}, "
        f"emulator at {imp['rate_limit_rps']} requests/s"
    )
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def write_report(results: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write the JSON, the Markdown and (with matplotlib) the chart into ``out_dir``; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path, chart_path = out_dir / JSON_NAME, out_dir / MARKDOWN_NAME, out_dir / CHART_NAME
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(render_markdown(results))
    written = [json_path, md_path]
    if write_chart(results, chart_path):
        written.append(chart_path)
    return written


def main() -> None:
    """Re-render the Markdown and the chart of a saved results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, default=RESULTS_DIR / JSON_NAME)
    args = parser.parse_args()
    results = json.loads(args.results.read_text())
    for path in write_report(results, args.results.parent):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
