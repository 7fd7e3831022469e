"""Shared fixtures: the connector on a mocked OpenCTIConnectorHelper (no running platform)."""

import json
import sys
from pathlib import Path
from unittest.mock import MagicMock

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from pycti import OpenCTIConnectorHelper  # noqa: E402

from credence_connector.connector import CredenceConnector  # noqa: E402

CONFIG = {
    "opencti": {"url": "http://localhost:8080", "token": "test-token"},
    "connector": {
        "id": "5e4a1f0c-9b1d-4c3e-8f2a-6d7b8c9e0f1a",
        "type": "INTERNAL_ENRICHMENT",
        "name": "Credence",
        "scope": "Report,Note,Incident",
        "log_level": "error",
        "auto": False,
    },
    "credence": {"rules": str(ROOT / "rules"), "max_tlp": "TLP:AMBER"},
}


@pytest.fixture
def mock_opencti_connector_helper(monkeypatch):
    """Mock the helper's connections, as the OpenCTI connector template's tests do."""
    module = "pycti.connector.opencti_connector_helper"
    for name in (
        "killProgramHook",
        "sched.scheduler",
        "ConnectorInfo",
        "OpenCTIApiClient",
        "OpenCTIConnector",
        "OpenCTIMetricHandler",
        "PingAlive",
    ):
        monkeypatch.setattr(f"{module}.{name}", MagicMock())
    for name in ("CREDENCE_RULES", "CREDENCE_MAX_TLP", "CONNECTOR_SCOPE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def helper(mock_opencti_connector_helper):
    """A helper built from CONFIG whose bundle sending is recorded."""
    helper = OpenCTIConnectorHelper(config=json.loads(json.dumps(CONFIG)))
    helper.send_stix2_bundle = MagicMock(return_value=["sent"])
    return helper


@pytest.fixture
def connector(helper):
    """The connector, with stored files served from the shipped cases."""
    connector = CredenceConnector(CONFIG, helper)

    def stored_file(file_id, binary=True):
        name = file_id.rsplit("/", 1)[-1].removesuffix(".credence.json")
        return (ROOT / "fixtures" / "real" / f"{name}.json").read_bytes()

    helper.api.fetch_opencti_file_by_id = MagicMock(side_effect=stored_file)
    return connector


def load_fixture(name: str) -> dict:
    """An enrichment message from tests/fixtures/."""
    return json.loads((HERE / "fixtures" / name).read_text())


def sent_bundle(helper) -> dict:
    """The one bundle the connector sent."""
    helper.send_stix2_bundle.assert_called_once()
    return json.loads(helper.send_stix2_bundle.call_args.args[0])
