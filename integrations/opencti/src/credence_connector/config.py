"""Configuration: config.yml and environment variables, read the way OpenCTI connectors do."""

import os
from pathlib import Path

import yaml
from pycti import get_config_variable

TLP_LEVELS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config.yml"


def load_config(path: Path = DEFAULT_CONFIG) -> dict:
    """The plain dict that OpenCTIConnectorHelper takes: config.yml if present, with defaults.

    Environment variables (OPENCTI_URL, CONNECTOR_ID, ...) override it where they are read,
    in the helper and in credence_settings."""
    config = yaml.safe_load(path.read_text()) if os.path.isfile(path) else None
    config = config or {}
    connector = config.setdefault("connector", {})
    connector.setdefault("type", "INTERNAL_ENRICHMENT")
    connector.setdefault("name", "Credence")
    connector.setdefault("scope", "Report,Note,Incident")
    return config


def credence_settings(config: dict) -> dict:
    """The connector's own settings (CREDENCE_RULES, CREDENCE_MAX_TLP), checked."""
    rules = get_config_variable("CREDENCE_RULES", ["credence", "rules"], config)
    if not rules:
        raise ValueError("CREDENCE_RULES (credence.rules) must name the rule set to score with")
    max_tlp = str(
        get_config_variable(
            "CREDENCE_MAX_TLP", ["credence", "max_tlp"], config, default="TLP:AMBER"
        )
    ).upper()
    if not max_tlp.startswith("TLP:"):
        max_tlp = "TLP:" + max_tlp
    if max_tlp == "TLP:WHITE":
        max_tlp = "TLP:CLEAR"
    if max_tlp not in TLP_LEVELS:
        raise ValueError(
            f"CREDENCE_MAX_TLP (credence.max_tlp) is {max_tlp}: use one of {', '.join(TLP_LEVELS)}"
        )
    return {"rules": str(rules), "max_tlp": max_tlp}
