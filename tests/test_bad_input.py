"""Issue #6: bad input on every form and API route gets a clear 4xx naming the field, never a 500.

The routes are read from the app itself (as in test_access_matrix.py), so a new route cannot escape:
- every API route with a JSON body gets a body built from its OpenAPI schema, then each field in turn (and
  each key of a nested object such as a diary's `answers`) set to each value of BAD_JSON, and a few bodies
  that are not JSON at all; the answer must be problem JSON, naming the field when the input is at fault;
- every form on the pages alice, bob and the admin see is posted with each field set to each value of
  BAD_FORM, and with bodies that are no form at all; the answer must be below 500 and, when refused, show
  an error notice. Unsafe routes that no page shows a form for (they need a plan, window or request that
  the small clinic here does not have) still get the malformed bodies.
The tables are fixed: the same requests every run.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.doses import log_dose
from morrow.services.people import create_user
from morrow.services.titration import propose_dose_change
from morrow.web.deps import COOKIE
from tests.conftest import PASSWORD
from tests.web_helpers import api_routes, csrf_of, web
from tests.web_patient.helpers import Clinic, bearer, clinic, sign_in_as

__all__ = ["clinic", "web"]

# JSON text put where a field's value goes: what JSON can carry that a schema should refuse.
BAD_JSON = (
    "NaN",
    "Infinity",
    "1e309",
    str(10**30),
    "-1",
    "0",
    '""',
    '"\\u0000"',
    '"\\ud800"',
    json.dumps("x" * 10_000),
    "[]",
    "{}",
    "null",
    "true",
    '"2026-02-30"',
    '"abc"',
)
# Bodies that are no JSON object at all: answered as `invalid_json` or `invalid_body`, naming no field.
BAD_BODIES = (
    ("application/json", b"{"),
    ("application/json", b""),
    ("application/json", b"\xff\xfe{}"),
    ("application/json", b"[" * 100_000 + b"]" * 100_000),
    ("application/json", b"[]"),
    ("application/json", b"NaN"),
    ("text/plain", b'{"a": 1}'),
    ("application/x-www-form-urlencoded", b"a=1&b=%ff"),
)
# Values typed (or forged) into a form field.
BAD_FORM = ("", "abc", "\x00", "-1", "99999999999", "1e309", "nan", "2026-02-30", "x" * 5000, "١٢")
# Bodies that are no proper form; each carries the CSRF token in its header.
BAD_FORM_BODIES = (
    ("application/x-www-form-urlencoded", b"amount=%ff%fe&note=\xff\xfe"),
    ("multipart/form-data", b"no boundary"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data; name=\"amount\"; "
     b"filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n\xff\xfe\r\n--zz--\r\n"),
    ("application/json", b'{"amount": 1}'),
    ("text/plain", b"\x00\x01"),
)  # fmt: skip
NOT_FUZZED = {
    ("POST", "/sign-out"): "ends the session; takes no input",
    ("DELETE", "/api/v1/auth/token"): "ends the session; takes no input",
}
# Bodies the schema alone cannot make valid: the instrument's own answers, a catalog symptom code.
NIGHT = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()  # within the diary window everywhere
DIARY = {"into_bed": "23:00", "try_sleep": "23:10", "sol_min": 10, "nwak": 1, "waso_min": 10,
         "final_wake": "06:30", "out_of_bed": "06:45", "quality": 3, "nap_min": 20, "comments": "slept ok"}  # fmt: skip
BASELINES: dict[str, dict[str, Any]] = {
    "/api/v1/patients/{patient_id}/checkins": {"instrument": "sows", "answers": {"items": [1] * 16}},
    "/api/v1/patients/{patient_id}/sleep-diary": {"night_of": NIGHT, "answers": DIARY},
    "/api/v1/patients/{patient_id}/symptoms": {"symptoms": {"nausea": 1}},
    "/api/v1/patients/{patient_id}/doses": {"substance": "kratom", "form": "leaf_powder", "amount": 2, "unit": "g"},
    "/api/v1/patients/{patient_id}/cows": {"answers": {"sweating": 1, "restlessness": 1}, "pulse_bpm": 90},
}


def app_routes(client: TestClient) -> list[tuple[str, APIRoute]]:
    return [(m, r) for r in api_routes(client) for m in sorted((r.methods or set()) - {"GET", "HEAD"})]


@dataclass
class Fuzzed:
    """What one test sent and every answer it refused to accept, so one run reports them all."""

    sent: int = 0
    routes: set[tuple[str, str]] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.failures.append(what)


@pytest.fixture
def busy_clinic(clinic: Clinic, committed: sessionmaker[Session]) -> Clinic:
    """The small clinic plus an admin, an alert (kratom with alcohol) and a dose change waiting for bob."""
    system = Actor.system("test")
    now = datetime.now(UTC)
    with committed() as session:
        admin = {"email": "admin@example.org", "display_name": "Admin", "role": "admin", "password": PASSWORD}
        create_user(session, system, admin)
        for key, substance, amount, unit in (
            ("bad-k-0001", "kratom", 2, "g"),
            ("bad-a-0001", "alcohol", 3, "standard_drink"),
        ):
            dose = {"substance": substance, "amount": amount, "unit": unit, "taken_at": now, "idempotency_key": key}
            log_dose(session, system, clinic.alice, dose)
        propose_dose_change(session, system, clinic.kratom_item, {"proposed_dose": 3, "reason": "more"}, now.date())
    return clinic


# ----------------------------------------------------------------------------------------------- the API


def resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself behind a `$ref`, or the non-null choice of an optional one."""
    while "$ref" in schema or "anyOf" in schema:
        schema = (
            spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            if "$ref" in schema
            else next(s for s in schema["anyOf"] if s.get("type") != "null")
        )
    return schema


def schema_sample(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value the schema accepts: the first enum value, a recent moment, a key-shaped string."""
    schema = resolved(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object":
        required = schema.get("required", [])
        return {k: schema_sample(spec, v) for k, v in schema.get("properties", {}).items() if k in required}
    if kind == "string" and fmt == "date-time":
        return (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    if kind == "string" and fmt == "date":
        return (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    if kind == "string":
        return "sample-key-0001" if "pattern" in schema else "a reason given"
    return {"integer": 1, "number": 1.0, "boolean": True, "array": []}.get(str(kind))


def field_paths(properties: dict[str, Any], baseline: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every top-level field, and every key of a nested object the baseline fills in (a diary's answers)."""
    paths: list[tuple[str, ...]] = [(name,) for name in properties]
    return paths + [(name, key) for name, value in baseline.items() if isinstance(value, dict) for key in value]


def with_bad_value(baseline: dict[str, Any], path: tuple[str, ...], raw: str, key: str) -> bytes:
    """The baseline as JSON text with the value at `path` replaced by the raw JSON text `raw`."""
    body = copy.deepcopy(baseline)
    if "idempotency_key" in body:
        body["idempotency_key"] = key
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "@@BAD@@"
    return json.dumps(body).replace('"@@BAD@@"', raw).encode()


def api_role(route: APIRoute) -> str:
    tags = set(route.tags or ())
    if "admin" in tags:
        return "admin@example.org"
    return "alice@example.org" if "patient" in tags or "clinician" not in tags else "bob@example.org"


def check_problem(fuzzed: Fuzzed, what: str, response: Any, mutated: str | None) -> None:
    fuzzed.sent += 1
    status = response.status_code
    if status >= 500:
        fuzzed.fail(f"{what}: {status} {response.text[:200]}")
        return
    if status < 400:
        return
    if response.headers.get("content-type") != "application/problem+json":
        fuzzed.fail(f"{what}: {status} is not problem JSON")
        return
    problem = response.json()
    if status not in (400, 422):
        return
    if problem["code"] in ("invalid_json", "invalid_body"):
        if mutated is not None:
            fuzzed.fail(f"{what}: {status} {problem} blames the whole body for one field")
        return
    if not isinstance(problem["field"], str) or not problem["field"]:
        fuzzed.fail(f"{what}: {status} {problem} names no field")


def test_every_api_route_refuses_bad_json_by_naming_the_field(web: TestClient, busy_clinic: Clinic) -> None:
    spec = web.get("/openapi.json").json()
    tokens = {email: bearer(web, email) for email in ("alice@example.org", "bob@example.org", "admin@example.org")}
    fuzzed = Fuzzed()
    for method, route in app_routes(web):
        if not route.path.startswith("/api/") or (method, route.path) in NOT_FUZZED:
            continue
        url = route.path.replace("{patient_id}", str(busy_clinic.alice))
        url = re.sub(r"\{[a-z_]+\}", "999999", url)
        headers = {"Content-Type": "application/json"} | tokens[api_role(route)]
        for ctype, body in BAD_BODIES:
            sent = web.request(method, url, content=body, headers=headers | {"Content-Type": ctype})
            check_problem(fuzzed, f"{method} {url} body {body[:20]!r}", sent, None)
        operation = spec["paths"][route.path][method.lower()]
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            fuzzed.routes.add((method, route.path))
            continue
        baseline: dict[str, Any] = schema_sample(spec, schema) or {}
        baseline |= copy.deepcopy(BASELINES.get(route.path, {}))
        for n, path in enumerate(field_paths(resolved(spec, schema).get("properties", {}), baseline)):
            for m, raw in enumerate(BAD_JSON):
                body = with_bad_value(baseline, path, raw, key=f"bad-json-{n:03d}-{m:03d}")
                sent = web.request(method, url, content=body, headers=headers)
                check_problem(fuzzed, f"{method} {url} {'.'.join(path)}={raw[:20]}", sent, ".".join(path))
        fuzzed.routes.add((method, route.path))
    unfuzzed = {(m, r.path) for m, r in app_routes(web) if r.path.startswith("/api/")} - fuzzed.routes
    assert unfuzzed <= set(NOT_FUZZED), unfuzzed
    assert not fuzzed.failures, f"{len(fuzzed.failures)} of {fuzzed.sent} answers were wrong:\n" + "\n".join(
        fuzzed.failures
    )


# ---------------------------------------------------------------------------------------------- the pages


@dataclass
class Form:
    action: str
    fields: dict[str, str]


class FormReader(HTMLParser):
    """The POST forms of a page with the values they would send as shown (first radio, selected option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(a["action"], {})
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        name, fields = a["name"], self._form.fields
        if tag == "input" and a.get("type") in ("radio", "checkbox"):
            if name not in fields or "checked" in a:
                fields[name] = a.get("value", "on")
        elif tag == "input":
            fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            self._select = self._textarea = None


def page_forms(web: TestClient, path: str) -> list[Form]:
    reader = FormReader()
    reader.feed(web.get(path).text)
    return [f for f in reader.forms if f.action != "/sign-out"]


def route_of(action: str, routes: list[tuple[str, APIRoute]]) -> str | None:
    path = action.split("?")[0]
    for _, route in routes:
        if route.path_regex.match(path):
            return route.path
    return None


def check_page(fuzzed: Fuzzed, what: str, response: Any) -> None:
    fuzzed.sent += 1
    if response.status_code >= 500:
        fuzzed.fail(f"{what}: {response.status_code}")
    elif response.status_code >= 400 and 'role="alert"' not in response.text:
        fuzzed.fail(f"{what}: {response.status_code} shows no error notice")


def fuzz_form(web: TestClient, fuzzed: Fuzzed, form: Form, csrf: str) -> None:
    night = 0
    for name in form.fields:
        if name == "csrf_token":
            continue
        for n, value in enumerate(BAD_FORM):
            data = form.fields | {name: value}
            if "idempotency_key" in data and name != "idempotency_key":
                data["idempotency_key"] = f"bad-form-{len(fuzzed.routes):02d}-{night:04d}-{n:02d}"
            if "night_of" in data and name != "night_of":  # one diary a night: use a new night each time
                night += 1
                data["night_of"] = (datetime.now(UTC).date() - timedelta(days=5 + night)).isoformat()
            sent = web.post(form.action, data=data, follow_redirects=False)
            check_page(fuzzed, f"POST {form.action} {name}={value[:20]!r}", sent)
    fuzz_bodies(web, fuzzed, form.action, csrf)


def fuzz_bodies(web: TestClient, fuzzed: Fuzzed, action: str, csrf: str) -> None:
    for ctype, body in BAD_FORM_BODIES:
        headers = {"Content-Type": ctype, "X-CSRF-Token": csrf}
        sent = web.post(action, content=body, headers=headers, follow_redirects=False)
        check_page(fuzzed, f"POST {action} body {ctype}", sent)


FILLED = {  # what a person would type into the fields a page leaves empty, so one bad value is the only fault
    "amount": "1",
    "into_bed": "23:00",
    "try_sleep": "23:10",
    "sol_min": "10",
    "nwak": "1",
    "waso_min": "10",
    "final_wake": "06:30",
    "out_of_bed": "06:45",
    "value": "10",
    "body": "Seen today, doing well.",
    "reason": "a reason given",
    "email": "new.person@example.org",
    "display_name": "New Person",
    "name": "New team",
}


def test_every_form_refuses_bad_values_without_a_server_error(web: TestClient, busy_clinic: Clinic) -> None:
    routes = app_routes(web)
    pages = {
        "alice@example.org": ["/today", "/check-in/sleep-diary", "/check-in/symptoms", "/check-in/phq9",
                              "/check-in/craving-vas"],
        "bob@example.org": [f"/patients/{busy_clinic.alice}", "/inbox", "/approvals"],
        "admin@example.org": ["/admin"],
        "": ["/sign-in"],  # last: its failed sign-ins lock signing in for a while
    }  # fmt: skip
    sessions: dict[str, tuple[str, str]] = {}

    def act_as(email: str) -> str:
        """Switch the client to `email`'s session (signing in once); returns its CSRF token."""
        web.cookies.clear()
        if not email:
            return ""
        if email not in sessions:
            sign_in_as(web, email)
            sessions[email] = (web.cookies[COOKIE], csrf_of(web))
        web.cookies.set(COOKIE, sessions[email][0])
        return sessions[email][1]

    fuzzed = Fuzzed()
    for email, paths in pages.items():
        csrf = act_as(email)
        for path in paths:
            for form in page_forms(web, path):
                template = route_of(form.action, routes)
                if template is None or ("POST", template) in fuzzed.routes:
                    continue
                form.fields |= {k: v for k, v in FILLED.items() if k in form.fields and not form.fields[k]}
                fuzz_form(web, fuzzed, form, csrf)
                fuzzed.routes.add(("POST", template))
    # Forms for what this clinic lacks (a taper plan, a sleep window): the malformed bodies still go in.
    for method, route in routes:
        if route.path.startswith("/api/") or (method, route.path) in set(NOT_FUZZED) | fuzzed.routes:
            continue
        url = re.sub(r"\{[a-z_]+\}", "999999", route.path.replace("{patient_id}", str(busy_clinic.alice)))
        fuzz_bodies(
            web, fuzzed, url, act_as("bob@example.org" if url.startswith("/patients/") else "admin@example.org")
        )
        fuzzed.routes.add((method, route.path))
    unfuzzed = {(m, r.path) for m, r in routes if not r.path.startswith("/api/")} - fuzzed.routes
    assert unfuzzed <= set(NOT_FUZZED), unfuzzed
    assert not fuzzed.failures, f"{len(fuzzed.failures)} of {fuzzed.sent} answers were wrong:\n" + "\n".join(
        fuzzed.failures
    )
