"""The `morrow` command, run for real in a subprocess, as clinics and scripts run it."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli_helpers import free_port, one_line_error, run_morrow, start_serving

EXAMPLES = Path(__file__).resolve().parent / "instruments" / "data" / "score_examples.json"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MORROW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def test_db_upgrade_creates_then_reports_the_schema(env: dict[str, str]) -> None:
    assert run_morrow("db", "status", env=env).returncode == 1
    first = run_morrow("db", "upgrade", env=env)
    assert first.returncode == 0
    assert "upgraded from empty to" in first.stdout
    again = run_morrow("db", "upgrade", env=env)
    assert "already at schema" in again.stdout
    assert run_morrow("db", "status", env=env).returncode == 0


def test_user_add_reads_the_password_from_stdin_and_refuses_duplicates(env: dict[str, str]) -> None:
    run_morrow("db", "upgrade", env=env)
    args = ("user", "add", "--email", "dana@clinic.org", "--name", "Dana", "--role", "clinician", "--password-stdin")
    added = run_morrow(*args, env=env, stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "Added clinician dana@clinic.org" in added.stdout
    assert "already exists" in one_line_error(run_morrow(*args, env=env, stdin="a long enough password\n"))
    short = run_morrow(
        "user",
        "add",
        "--email",
        "eve@clinic.org",
        "--name",
        "Eve",
        "--role",
        "admin",
        "--password-stdin",
        env=env,
        stdin="short\n",
    )
    assert "password" in one_line_error(short)


def test_commands_refuse_an_unmigrated_database_in_one_line(env: dict[str, str]) -> None:
    line = one_line_error(run_morrow("serve", env=env))
    assert "run `morrow db upgrade`" in line


def test_score_follows_its_contract_through_the_real_command() -> None:
    examples = json.loads(EXAMPLES.read_text())["examples"]
    for example in examples:
        instrument = example["command"].split()[-1]
        result = run_morrow("score", instrument, stdin=json.dumps(example["stdin"]))
        assert result.returncode == example["exit"], (instrument, result.stdout, result.stderr)
        body = json.loads(result.stdout)
        if example["exit"] == 2:
            assert set(body["error"]) == {"code", "item", "message"}
            continue
        for key, expected in example["stdout_includes"].items():
            if isinstance(expected, float):
                assert body[key] == pytest.approx(expected, abs=0.01), (instrument, key)
            else:
                assert body[key] == expected, (instrument, key)


def test_score_refuses_malformed_json_with_exit_2() -> None:
    result = run_morrow("score", "sows", stdin="{not json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_on_loopback(env: dict[str, str], workers: int, tmp_path: Path) -> None:
    run_morrow("db", "upgrade", env=env)
    port = free_port()
    server = start_serving(env, port, workers, tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 20
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    body = json.loads(response.read())
            except OSError:
                time.sleep(0.2)
        assert body is not None, "morrow serve did not answer within 20 s"
        assert body["status"] == "ok"
    finally:
        server.terminate()
        server.wait(10)


def test_a_clinic_can_be_set_up_from_the_command_line(env: dict[str, str]) -> None:
    run_morrow("db", "upgrade", env=env)
    patient = run_morrow("patient", "add", "--name", "Eve S.", "--timezone", "Europe/London", env=env)
    assert "Added patient Eve S. (patient 1, Europe/London)" in patient.stdout
    assert "timezone" in one_line_error(run_morrow("patient", "add", "--name", "X", "--timezone", "Mars/Base", env=env))
    assert "usual_bedtime" in one_line_error(
        run_morrow("patient", "add", "--name", "X", "--timezone", "UTC", "--usual-bedtime", "9pm", env=env)
    )
    for email, role, extra in (
        ("dana@clinic.org", "clinician", ()),
        ("eve@clinic.org", "patient", ("--patient-id", "1")),
    ):
        added = run_morrow(
            "user",
            "add",
            "--email",
            email,
            "--name",
            "N",
            "--role",
            role,
            *extra,
            "--password-stdin",
            env=env,
            stdin="a long enough password\n",
        )
        assert added.returncode == 0, added.stderr
    team = run_morrow("team", "add", "North", "--clinician", "DANA@clinic.org", "--patient-id", "1", env=env)
    assert "Added care team North (team 1): 1 clinicians, 1 patients." in team.stdout
    assert "no account for nobody@clinic.org" in one_line_error(
        run_morrow("team", "add", "South", "--clinician", "nobody@clinic.org", env=env)
    )
    assert "is not a clinician" in one_line_error(
        run_morrow("team", "add", "South", "--clinician", "eve@clinic.org", env=env)
    )
