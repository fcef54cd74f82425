"""The run's outputs: bench/results/<timestamp>.json, a Markdown summary and a latency plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TARGET_RATE = 100.0


def _steps(results: dict[str, Any], target: str) -> list[dict[str, Any]]:
    """The latency steps of a target ([] when the phase did not run or failed)."""
    steps = results.get(target, {}).get("latency", [])
    return steps if isinstance(steps, list) else []


def _step_at(steps: list[dict[str, Any]], rate: float) -> dict[str, Any] | None:
    return next((step for step in steps if step["rate"] == rate), None)


def _latency(step: dict[str, Any] | None, name: str) -> float | None:
    if step is None or step.get("latency_ms") is None:
        return None
    value: float = step["latency_ms"][name]
    return value


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 5 with what was measured and whether it was met (None: not run)."""
    system = results.get("system", {})
    ours = _step_at(_steps(results, "system"), TARGET_RATE)
    base = _step_at(_steps(results, "floor"), TARGET_RATE)
    rows: list[dict[str, Any]] = []

    def row(name: str, goal: str, measured: float | None, met: bool | None, unit: str = "") -> None:
        rows.append({"target": name, "goal": goal, "measured": measured, "unit": unit, "met": met})

    p50, p99 = _latency(ours, "p50"), _latency(ours, "p99")
    row("p50 at 100 orders/s", "<= 15 ms", p50, None if p50 is None else p50 <= 15, "ms")
    row("p99 at 100 orders/s", "<= 50 ms", p99, None if p99 is None else p99 <= 50, "ms")
    floor_p50 = _latency(base, "p50")
    ratio = p50 / floor_p50 if p50 is not None and floor_p50 else None
    row("p50 vs the floor at 100 orders/s", "<= 3x", ratio, None if ratio is None else ratio <= 3, "x")
    if "sustained_rate" in system.get("throughput", {}):
        sustained = system["throughput"]["sustained_rate"]
        row(
            "sustained throughput (60 s, p99 <= 100 ms, none lost)",
            ">= 300 orders/s",
            sustained,
            bool(sustained and sustained >= 300),
            "orders/s",
        )
    if "rss_per_connection_kib" in system.get("connections", {}):
        conn = system["connections"]
        for name, kib in conn["rss_per_connection_kib"].items():
            row(f"memory per idle socket, {name}", "<= 40 KiB", kib, kib <= 40, "KiB")
        wanted = conn.get("requested", conn["sockets"])
        row(
            "idle sockets subscribed and held",
            str(wanted),
            conn["still_subscribed"],
            conn["still_subscribed"] >= wanted,
            "sockets",
        )
        beat = conn["heartbeat"]
        row(
            "heartbeats on time with all sockets open",
            "every socket <= 21 s apart",
            beat["longest_silence_s"],
            (beat["late_sockets"] == 0) if beat["checked"] else None,
            "s",
        )
    if "recovered_all_s" in system.get("storm", {}):
        storm = system["storm"]
        lost = storm["storm_sockets_lost"] + storm["seq_gaps"]
        row(
            "reconnect storm fully recovered",
            "<= 10 s, none lost",
            storm["recovered_all_s"],
            storm["recovered_all_s"] is not None and storm["recovered_all_s"] <= 10 and lost == 0,
            "s",
        )
    return rows


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _quad(step: dict[str, Any] | None) -> str:
    if step is None or step.get("latency_ms") is None:
        return "—"
    lat = step["latency_ms"]
    return " / ".join(_fmt(lat[name]) for name in ("p50", "p90", "p99", "max"))


def markdown(results: dict[str, Any], plot_name: str | None) -> str:
    meta = results["meta"]
    lines = [
        "# Benchmark: latest run",
        "",
        f"`make bench` ({' '.join(meta['argv']) or 'all phases'}), {meta['started_at']}, commit "
        f"`{meta['commit']}`, {meta['cpus']} cores, {meta['memory_gib']:.0f} GiB, Python {meta['python']}; "
        f"took {meta['took_s'] / 60:.1f} min. Raw data: `{meta['json']}` (not committed).",
        "",
        "## Targets",
        "",
        "| target | goal | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for row in results["targets"]:
        met = {True: "yes", False: "**no**", None: "not run"}[row["met"]]
        lines.append(f"| {row['target']} | {row['goal']} | {_fmt(row['measured'])} {row['unit']} | {met} |")
    lines += _probe_section(results)
    lines += _latency_section(results, plot_name)
    lines += _throughput_section(results)
    lines += _connections_section(results)
    lines += _storm_section(results)
    lines += _cpu_section(results)
    lines += _profile_section(results)
    return "\n".join(lines) + "\n"


def _probe_section(results: dict[str, Any]) -> list[str]:
    data = results.get("probe")
    if not data:
        return []

    def three(summary: dict[str, float]) -> str:
        return " / ".join(_fmt(summary[name], 2) for name in ("p50", "p90", "p99"))

    return [
        "",
        "## The disk",
        "",
        "One at a time, nothing else of ours running: a PostgreSQL INSERT + commit took "
        f"{three(data['postgres_commit_ms'])} ms (p50 / p90 / p99), a persistent RabbitMQ publish with its "
        f"confirm {three(data['rabbitmq_confirm_ms'])} ms. Both wait for an fsync; every order waits for at "
        "least one of each.",
    ]


def _latency_section(results: dict[str, Any], plot_name: str | None) -> list[str]:
    system = _steps(results, "system")
    floor = _steps(results, "floor")
    if not system and not floor:
        return []
    opts = results["meta"]["options"]
    lines = [
        "",
        "## 1. Order-to-dashboard latency",
        "",
        f"From when each checkout POST was due (open loop, fixed rate) to when a seller socket received "
        f"its `order.created`; {opts['sellers']} sellers × {opts['dashboards']} dashboards, "
        f"{opts['duration_s']:g} s per rate. Milliseconds, p50 / p90 / p99 / max.",
        "",
        "| orders/s | ours | floor | ours ÷ floor | deliveries | lost | dup | POST→201 p50 / p99 (ours) "
        "| other load, cores (ours / floor) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rate in sorted({step["rate"] for step in system + floor}):
        ours, base = _step_at(system, rate), _step_at(floor, rate)
        ratio = "—"
        if ours and base and ours["latency_ms"] and base["latency_ms"]:
            ratio = " / ".join(
                f"{ours['latency_ms'][name] / base['latency_ms'][name]:.1f}"
                for name in ("p50", "p90", "p99", "max")
            )
        http = ours["http_ms"] if ours else None
        http_text = f"{_fmt(http['p50'])} / {_fmt(http['p99'])}" if http else "—"
        delivered = f"{ours['delivered']}/{ours['expected_deliveries']}" if ours else "—"
        lost = str(ours["lost"]) if ours else "—"
        dup = str(ours["duplicated"]) if ours else "—"
        noise = " / ".join(_fmt(step.get("other_cores"), 2) if step else "—" for step in (ours, base))
        cells = [f"{rate:g}", _quad(ours), _quad(base), ratio, delivered, lost, dup, http_text, noise]
        lines.append("| " + " | ".join(cells) + " |")
    late = results.get("system", {}).get("late_deliveries") or {}
    if late:
        lines += [
            "",
            "Deliveries missing when a step was scored, and how many came in later (late, not lost): "
            + "; ".join(
                f"{step}: {n['missing']} missing, {n['arrived_later']} later" for step, n in late.items()
            )
            + ".",
        ]
    if floor:
        lines += ["", "The floor lost " + ", ".join(f"{s['lost']} at {s['rate']:g}/s" for s in floor) + "."]
    if plot_name:
        lines += ["", f"![latency]({plot_name})"]
    return lines


def _throughput_section(results: dict[str, Any]) -> list[str]:
    data = results.get("system", {}).get("throughput")
    if not data:
        return []
    if "error" in data:
        return ["", "## 2. Sustained throughput", "", f"Failed: `{data['error']}`"]
    lines = [
        "",
        "## 2. Sustained throughput",
        "",
        f"Each step held {data['duration_s']:g} s; held means {data['criterion']}. "
        f"Highest held: **{_fmt(data['sustained_rate'], 0)} orders/s**.",
        "",
        "| orders/s | p50 / p90 / p99 / max ms | accepted | failed | lost | held | other load, cores |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for step in data["steps"]:
        accepted = f"{step['accepted']}/{step['orders']}"
        cells = [f"{step['rate']:g}", _quad(step), accepted, failed_cell(step), str(step["lost"])]
        extra = ["yes" if step["held"] else "no", _fmt(step.get("other_cores"), 2)]
        lines.append("| " + " | ".join([*cells, *extra]) + " |")
    return lines


def failed_cell(step: dict[str, Any]) -> str:
    """The step's failed requests, and which services refused how many of them at once."""
    shed = {name: int(count) for name, count in step.get("shed", {}).items() if count}
    refused = ", ".join(f"{count} by the {name}" for name, count in shed.items())
    return (
        f"{step['failed_requests']} ({refused} refused as busy)" if refused else str(step["failed_requests"])
    )


def _kib(value: int) -> str:
    return f"{value / 2**20:.0f} MiB"


def _connections_section(results: dict[str, Any]) -> list[str]:
    data = results.get("system", {}).get("connections")
    if not data:
        return []
    if "error" in data:
        return ["", "## 3. Idle sockets", "", f"Failed: `{data['error']}`"]
    beat = data["heartbeat"]
    capped = data.get("requested", data["sockets"]) > data["sockets"]
    cap_note = (
        f" ({data['requested']} asked for; the gateway needs a descriptor per socket and this machine's "
        f"hard limit of {data['fd_limit']} open files cannot be raised)"
        if capped
        else ""
    )
    lines = [
        "",
        "## 3. Idle sockets",
        "",
        f"{data['subscribed']} of {data['sockets']} idle seller sockets subscribed through one gateway "
        f"and one notifier{cap_note} in {data['seconds']:.1f} s; {data['still_subscribed']} still "
        f"subscribed after {data['held_s']:.0f} s. Unexpected closes: {data['unexpected_closes'] or 'none'}.",
        "",
        "| process | RSS before | all connected | after orders and hold | after closing them | per socket |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, kib in data["rss_per_connection_kib"].items():
        lines.append(
            f"| {name} | {_kib(data['rss_before'][name])} | {_kib(data['rss_connected'][name])} | "
            f"{_kib(data['rss_after'][name])} | "
            f"{_kib(data['rss_after_close'][name])} | {kib:.1f} KiB |"
        )
    lines += [
        "",
        f"Heartbeats: longest silence on any idle socket {_fmt(beat['longest_silence_s'])} s, "
        f"{beat['late_sockets']} sockets over 21 s, {beat['sockets_without_heartbeat']} without any "
        f"heartbeat{'' if beat['checked'] else ' (held too briefly to check)'}.",
        "",
        f"Orders meanwhile at {data['orders_meanwhile']['rate']:g}/s: {_quad(data['orders_meanwhile'])} ms "
        f"(p50 / p90 / p99 / max), failed {failed_cell(data['orders_meanwhile'])}, "
        f"lost {data['orders_meanwhile']['lost']}.",
    ]
    return lines


def _storm_section(results: dict[str, Any]) -> list[str]:
    data = results.get("system", {}).get("storm")
    if not data:
        return []
    if "error" in data:
        return ["", "## 4. Reconnect storm", "", f"Failed: `{data['error']}`"]
    recovery = data["recovery_ms"] or {}
    return [
        "",
        "## 4. Reconnect storm",
        "",
        f"{data['dropped']} sockets cut at once (TCP abort) and reconnected with `last_seq` while orders "
        f"kept coming at {data['rate']:g}/s. All caught up after **{_fmt(data['recovered_all_s'], 2)} s** "
        f"({data['caught_up']} caught up, {data['not_caught_up']} not); per socket p50 "
        f"{_fmt(recovery.get('p50'))} ms, p99 {_fmt(recovery.get('p99'))} ms. Deliveries owed to the "
        f"storm's sockets {data['storm_sockets_expected']}, lost {data['storm_sockets_lost']}, duplicated "
        f"{data['storm_sockets_duplicated']}; seq gaps {data['seq_gaps']}, repeats {data['seq_repeats']}, "
        f"resets {data['resets']}; most attempts by one socket {data['reconnect_attempts_max']}.",
        "",
        f"Orders meanwhile (all sockets): {_quad(data['orders_meanwhile'])} ms (p50 / p90 / p99 / max), "
        f"{data['orders_meanwhile']['accepted']} of {data['orders_meanwhile']['orders']} accepted, "
        f"failed {failed_cell(data['orders_meanwhile'])}, lost {data['orders_meanwhile']['lost']}.",
    ]


def _cpu_section(results: dict[str, Any]) -> list[str]:
    steps = _steps(results, "system")
    floor = _steps(results, "floor")
    pick = _step_at(steps, TARGET_RATE) or (steps[0] if steps else None)
    base = _step_at(floor, TARGET_RATE) or (floor[0] if floor else None)
    if not pick and not base:
        return []
    lines = ["", "## Where the CPU went (CPU ms per order)", ""]
    for label, step in (("ours", pick), ("floor", base)):
        if step is None:
            continue
        cells = sorted(step["cpu_ms_per_order"].items(), key=lambda item: -item[1])
        total = sum(value for name, value in cells if not name.startswith("load:"))
        lines.append(
            f"- {label} at {step['rate']:g}/s: "
            + ", ".join(f"{name} {value:.2f}" for name, value in cells if value >= 0.01)
            + f" (without the load generator: {total:.2f} ms)"
        )
        for database, counts in sorted(step.get("database_per_order", {}).items()):
            if counts["xact_commit"] + counts["tup_inserted"] >= 0.05:
                lines.append(
                    f"  - PostgreSQL `{database.rsplit('_', 1)[-1]}` per order: "
                    f"{counts['xact_commit']:.1f} commits, {counts['xact_rollback']:.1f} rollbacks, "
                    f"{counts['tup_inserted']:.1f} rows inserted, {counts['tup_updated']:.1f} updated, "
                    f"{counts['tup_fetched']:.1f} fetched"
                )
    return lines


def _profile_section(results: dict[str, Any]) -> list[str]:
    data = results.get("system", {}).get("profile")
    if not data:
        return []
    if "error" in data:
        return ["", "## py-spy", "", f"Failed: `{data['error']}`"]
    lines = ["", f"## py-spy, {data['rate']:g} orders/s", ""]
    for name, found in data["services"].items():
        if "error" in found:
            lines.append(f"- {name}: py-spy failed: {found['error'][-200:]}")
            continue
        top = ", ".join(f"{frame} {share:.0%}" for frame, share in found["self"][:6])
        lines.append(f"- {name} ({found['samples']} samples), most self time: {top}")
    return lines


def plot(results: dict[str, Any], path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    system = _steps(results, "system")
    floor = _steps(results, "floor")
    if not system and not floor:
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    all_rates = sorted({step["rate"] for step in system + floor})
    for label, steps, style in (("ours", system, "-"), ("floor", floor, "--")):
        usable = [step for step in steps if step["latency_ms"]]
        rates = [step["rate"] for step in usable]
        for name, marker, color in (("p50", "o", "C0"), ("p90", "s", "C1"), ("p99", "^", "C3")):
            values = [step["latency_ms"][name] for step in usable]
            left.plot(rates, values, style, marker=marker, color=color, label=f"{label} {name}")
        for step in usable:
            values = sorted(step["raw_latency_ms"])
            if values:
                fractions = [(i + 1) / len(values) for i in range(len(values))]
                color = f"C{all_rates.index(step['rate']) % 10}"
                right.plot(values, fractions, style, color=color, label=f"{label} {step['rate']:g}/s")
    left.set(
        xlabel="orders per second",
        ylabel="latency (ms)",
        yscale="log",
        title="order → dashboard latency by rate",
    )
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    right.set(
        xlabel="latency (ms)", ylabel="fraction of deliveries", xscale="log", title="distribution (CDF)"
    )
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
