"""The connector on a mocked OpenCTIConnectorHelper, as the OpenCTI template tests it."""

from pathlib import Path

import pytest
from pycti import OpenCTIConnectorHelper

from conftest import CONFIG, load_fixture
from credence_connector.config import credence_settings, load_config
from credence_connector.connector import CredenceConnector

SAMPLE = Path(__file__).resolve().parents[1] / "config.yml.sample"


def test_config_sample_is_read():
    config = load_config(SAMPLE)

    assert config["connector"]["type"] == "INTERNAL_ENRICHMENT"
    assert config["connector"]["scope"] == "Report,Note,Incident"
    assert credence_settings(config)["max_tlp"] == "TLP:AMBER"


def test_defaults_without_a_config_file(tmp_path):
    config = load_config(tmp_path / "config.yml")

    assert config["connector"] == {
        "type": "INTERNAL_ENRICHMENT",
        "name": "Credence",
        "scope": "Report,Note,Incident",
    }


@pytest.mark.parametrize(
    ("given", "read"),
    [("TLP:RED", "TLP:RED"), ("amber+strict", "TLP:AMBER+STRICT"), ("white", "TLP:CLEAR")],
)
def test_environment_overrides_the_file(monkeypatch, given, read):
    monkeypatch.setenv("CREDENCE_MAX_TLP", given)

    assert credence_settings(CONFIG)["max_tlp"] == read


def test_an_unknown_tlp_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("CREDENCE_MAX_TLP", "TLP:PURPLE")

    with pytest.raises(ValueError, match="CREDENCE_MAX_TLP .* is TLP:PURPLE"):
        credence_settings(CONFIG)


def test_rules_are_required(monkeypatch):
    monkeypatch.delenv("CREDENCE_RULES", raising=False)

    with pytest.raises(ValueError, match="CREDENCE_RULES"):
        credence_settings({"credence": {}})


def test_opencti_connector_helper_is_instantiated(helper):
    assert helper.opencti_url == "http://localhost:8080"
    assert helper.opencti_token == "test-token"
    assert helper.connect_type == "INTERNAL_ENRICHMENT"
    assert helper.connect_name == "Credence"
    assert helper.connect_scope.lower() == "report,note,incident"


def test_connector_is_instantiated(helper):
    connector = CredenceConnector(CONFIG, helper)

    assert connector.helper is helper
    assert connector.rules.ruleset[0] == "claims_of_responsibility"
    assert connector.settings == {"rules": CONFIG["credence"]["rules"], "max_tlp": "TLP:AMBER"}


def test_run_listens_with_process_message(connector, helper, monkeypatch):
    listen = []
    monkeypatch.setattr(helper, "listen", lambda message_callback: listen.append(message_callback))

    connector.run()

    assert listen == [connector.process_message]


def test_an_entity_out_of_scope_is_skipped(connector, helper):
    message = load_fixture("report-trebes-2018.json")
    message["stix_entity"] = {"type": "identity", "id": "identity--" + CONFIG["connector"]["id"]}

    assert "skips" in connector.process_message(message)
    helper.send_stix2_bundle.assert_not_called()


def test_rules_that_do_not_compile_stop_the_connector(helper, tmp_path):
    (tmp_path / "broken.cred").write_text("this is not a rule set\n")
    config = dict(CONFIG, credence={"rules": str(tmp_path), "max_tlp": "TLP:AMBER"})

    with pytest.raises(Exception, match="broken.cred"):
        CredenceConnector(config, helper)


def test_opencti_helper_type_is_read_from_the_sample(mock_opencti_connector_helper):
    config = load_config(SAMPLE)
    config["connector"]["id"] = CONFIG["connector"]["id"]

    assert OpenCTIConnectorHelper(config=config).connect_type == "INTERNAL_ENRICHMENT"
