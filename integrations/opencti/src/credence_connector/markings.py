"""TLP: which markings an entity carries, and whether the connector may read it."""

from pycti import OpenCTIConnectorHelper


class Refused(ValueError):
    """The entity is marked above the connector's maximum TLP."""


def entity_tlps(enrichment_entity: dict) -> list:
    """The TLP markings ("TLP:AMBER", ...) of the entity as OpenCTI read it."""
    return [
        marking["definition"].upper()
        for marking in enrichment_entity.get("objectMarking") or []
        if marking.get("definition_type") == "TLP"
    ]


def check_tlp(enrichment_entity: dict, max_tlp: str) -> None:
    """Raise Refused when a TLP marking of the entity is above max_tlp."""
    for tlp in entity_tlps(enrichment_entity):
        if not OpenCTIConnectorHelper.check_max_tlp(tlp, max_tlp):
            raise Refused(
                f"Credence refuses {enrichment_entity.get('standard_id', 'the entity')}: "
                f"it is marked {tlp}, above CREDENCE_MAX_TLP={max_tlp}; nothing was read or sent"
            )
