"""OpenCTI internal-enrichment connector scoring claims of responsibility with Credence."""
