"""Entry point: read the configuration, connect to OpenCTI, listen for enrichment requests."""

import sys
import traceback

from pycti import OpenCTIConnectorHelper

from credence_connector.config import load_config
from credence_connector.connector import CredenceConnector

if __name__ == "__main__":
    try:
        config = load_config()
        CredenceConnector(config, OpenCTIConnectorHelper(config)).run()
    except Exception:  # pylint: disable=broad-except
        traceback.print_exc()
        sys.exit(1)
