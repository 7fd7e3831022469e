"""The object templates against the misp-objects schema, the case schema and PyMISP."""

import json
import uuid
from pathlib import Path

import jsonschema
import pymisp
import pytest
from conftest import INTEGRATION, REPO, case, claim_object

from credence_misp.mapping import LIST, RELATIONS, VALUES, template

NAMES = ["claim-of-responsibility", "credence-assessment"]
SCHEMA = json.loads((Path(pymisp.__file__).parent / "data" / "misp-objects" / "schema_objects.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)  # its "$schema" names no draft; its keywords are draft 7's
DESCRIBE_TYPES = json.loads((Path(pymisp.__file__).parent / "data" / "describeTypes.json").read_text())["result"][
    "types"
]


@pytest.mark.parametrize("name", NAMES)
def test_the_template_is_valid_for_misp_objects(name):
    path = INTEGRATION / "object_templates" / name / "definition.json"
    definition = json.loads(path.read_text())
    VALIDATOR.validate(definition)
    assert definition["name"] == name
    assert uuid.UUID(definition["uuid"]).version == 4
    assert set(definition["required"]) <= set(definition["attributes"])
    assert all(d["misp-attribute"] in DESCRIBE_TYPES for d in definition["attributes"].values())
    # misp-objects keeps its definitions as `jq --sort-keys` writes them
    assert path.read_text() == json.dumps(definition, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_schema_catches_a_bad_template():
    definition = template()
    definition["attributes"]["claimant"]["misp-attribute"] = "group-name"
    assert not VALIDATOR.is_valid(definition)


def enum_in_case_schema(path):
    schema = json.loads((REPO / "rules" / "case.schema.json").read_text())
    node = schema
    for key in path.split("."):
        node = node["properties"][key]
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].split("/")[-1]]
    node = node.get("items", node)
    return [v for v in node.get("enum", []) if v is not None]


@pytest.mark.parametrize("relation", sorted(VALUES))
def test_each_values_list_is_the_case_schema_enum(relation):
    path, kind = RELATIONS[relation]
    expected = enum_in_case_schema(path) + (["none"] if kind == LIST else [])
    assert VALUES[relation] == expected


def test_each_case_schema_enum_of_a_mapped_text_has_a_values_list():
    for relation, (path, _) in RELATIONS.items():
        if enum_in_case_schema(path):
            assert relation in VALUES, relation


def test_pymisp_builds_a_claim_object_from_the_template():
    built = pymisp.MISPObject("claim-of-responsibility", misp_objects_template_custom=template())
    for attribute in claim_object(case("trebes-2018"))["Attribute"]:
        built.add_attribute(attribute["object_relation"], value=attribute["value"], data=attribute.get("data"))
    loaded = json.loads(built.to_json())
    assert loaded["template_uuid"] == template()["uuid"]
    assert {a["object_relation"] for a in loaded["Attribute"]} >= {
        "claimant",
        "channel-class",
        "published-at",
        "supplement",
    }
