"""Credence in MISP: the claim-of-responsibility mapping and the judgement in MISP's terms.

mapping: a claim-of-responsibility object (or a case given whole) to a Credence case.
judge: the case scored by Credence, as tags, an opinion, a note, a report and an object.
The misp-modules under modules/ and annotate.py are thin wrappers around these two.
"""
