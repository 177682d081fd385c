"""The shared hardened XML parser: no entity expansion, and its safety options cannot be undone."""

from __future__ import annotations

import pytest
from lxml import etree

from enrich.safexml import safe_xml_parser


def test_entities_stay_unexpanded_and_external_files_are_not_read() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">'
        b'<!ENTITY y "boom">]><f><a>&x;</a><b>&y;</b></f>'
    )
    root = etree.fromstring(doc, safe_xml_parser())
    text = "".join(root.itertext())
    assert "root:" not in text and "boom" not in text


def test_safety_options_cannot_be_overridden() -> None:
    with pytest.raises(ValueError, match="resolve_entities"):
        safe_xml_parser(resolve_entities=True)
