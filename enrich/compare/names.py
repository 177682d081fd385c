"""Author names for the comparison. The rules have one home in enrich.text: name folding and
identity in enrich/text/names.py, placeholder and cut words in enrich/text/vocabulary.py, the
author-list reader in enrich/text/authors.py. This module keeps the names the comparison imports."""

from __future__ import annotations

from enrich.text.authors import split_names
from enrich.text.names import (
    Name,
    Token,
    match_names,
    name_scripts,
    parse_name,
    same_person,
    script_names,
)
from enrich.text.vocabulary import is_placeholder
from enrich.text.vocabulary import strip_cut_marker as strip_truncation

__all__ = [
    "Name",
    "Token",
    "is_placeholder",
    "match_names",
    "name_scripts",
    "parse_name",
    "same_person",
    "script_names",
    "split_names",
    "strip_truncation",
]
