"""Shared fixtures: the shipped rules, cases as claim objects, and a real misp-modules server."""

import base64
import copy
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INTEGRATION = HERE.parent
REPO = INTEGRATION.parents[1]
sys.path.insert(0, str(INTEGRATION))

import credence  # noqa: E402
from credence_misp.mapping import LIST, RELATIONS, SUPPLEMENT, template  # noqa: E402

TYPES = {relation: d["misp-attribute"] for relation, d in template()["attributes"].items()}
REPRESENTABLE = {"text": str, "boolean": bool, "count": int, "time": str, "list": list}


def case(name):
    """A shipped case: fixtures/real/NAME.json, or the inline case of fixtures/NAME.json."""
    real = REPO / "fixtures" / "real" / f"{name}.json"
    if real.exists():
        return json.loads(real.read_text())
    return json.loads((REPO / "fixtures" / f"{name}.json").read_text())["case"]


def misp_value(value):
    """A value as MISP writes it in an attribute."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def claim_object(document, uuid="b0a3c2a5-5c0f-4d2e-9c59-0e3f1f6a0001", supplement=True):
    """The claim-of-responsibility object an analyst would write for `document`: every value the
    template can hold as an attribute, and (with `supplement`) the rest as the supplement."""
    rest = copy.deepcopy(document)
    attributes = []
    for relation, (path, kind) in RELATIONS.items():
        *parents, leaf = path.split(".")
        node = rest
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or node.get(leaf) is None:
            continue
        value = node[leaf]
        if not isinstance(value, REPRESENTABLE[kind]) or (kind == "count" and isinstance(value, bool)):
            continue
        values = (value or ["none"]) if kind == LIST else [value]
        attributes += [{"object_relation": relation, "type": TYPES[relation], "value": misp_value(v)} for v in values]
        del node[leaf]
    if supplement:
        data = base64.b64encode(json.dumps(rest).encode()).decode()
        attributes.append({"object_relation": SUPPLEMENT, "type": "attachment", "value": "case.json", "data": data})
    return {"name": "claim-of-responsibility", "uuid": uuid, "Attribute": attributes}


@pytest.fixture(scope="session")
def rules():
    return credence.compile(str(REPO / "rules"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """misp-modules on a free loopback port with Credence's modules (its -c custom root)."""
    port = free_port()
    log = tmp_path_factory.mktemp("misp-modules") / "server.log"
    command = [
        Path(sys.executable).with_name("misp-modules"),
        "-l",
        "127.0.0.1",
        "-p",
        str(port),
        "-c",
        str(INTEGRATION / "modules"),
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "CREDENCE_RULES": str(REPO / "rules")}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthcheck", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"misp-modules did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(url, payload):
    """POST /query and the decoded answer."""
    request = urllib.request.Request(
        f"{url}/query", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())
