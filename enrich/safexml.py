"""The one lxml parser configuration every XML input goes through (arXiv answers, Atom/RSS digests).

Entities are never resolved, no DTD is loaded, nothing is fetched from the network and huge trees
are refused, so an answer or a digest cannot read local files (XXE) or expand an entity bomb.
"""

from __future__ import annotations

from typing import Any

__all__ = ["safe_xml_parser"]


def safe_xml_parser(**extra: Any) -> Any:
    """A hardened etree.XMLParser; `extra` adds options that do not touch the safety ones."""
    safety = {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "dtd_validation": False,
    }
    clash = safety.keys() & extra.keys()
    if clash:
        raise ValueError(f"safety options cannot be overridden: {sorted(clash)}")
    from lxml import etree  # with the first parser: many runs read no XML at all

    return etree.XMLParser(**safety, **extra)
