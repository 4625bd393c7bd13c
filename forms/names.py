"""Stable technical names: a question's answer key does not follow its label.

A question's technical name is what its answers are stored under: the
export's column, re-enrolment's matching, the conditions and the messages
(``{{ answers.<name> }}``) all use it. An editor who leaves it empty gets
one made from the label; once the page is saved that name is written into
the block, and once the page has been published with it, it is fixed:
relabelling the question keeps it, and an empty name field gets the
published name back. Changing it is an explicit act (the page editor's
« Renommer les noms techniques »), told what it affects.

Blocks are matched between the published page and the edited one by their
Wagtail block id, which the page editor posts with every block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .constants import DISPLAY_TYPES, FieldType
from .definition import clean_name

Path = tuple[int, ...]  # step index, question index[, member index in a group]


@dataclass(frozen=True)
class Rename:
    path: Path
    label: str
    published: str
    edited: str


def _question_blocks(stream: Any) -> Iterator[tuple[Path, Any]]:
    """Each question (and group, and question in a group) of a form stream,
    with where it is."""
    for step_index, step in enumerate(stream or []):
        for index, child in enumerate(step.value.get("fields") or []):
            if child.block_type in DISPLAY_TYPES:
                continue
            yield (step_index, index), child
            if child.block_type == FieldType.GROUP:
                for member_index, member in enumerate(child.value.get("fields") or []):
                    yield (step_index, index, member_index), member


def _text(value: Any) -> str:
    return str(value or "").strip()


def published_names(stream: Any) -> dict[str, str]:
    """Block id → the technical name the published page answers under."""
    return {
        child.id: clean_name(_text(child.value.get("name")), _text(child.value.get("label")))
        for _path, child in _question_blocks(stream)
        if child.id
    }


def settle_names(stream: Any, published: dict[str, str]) -> list[Rename]:
    """Write each question's technical name into its block: the one given,
    else the published one, else one made from the label. Return the
    published names the editor changed, for the editor to confirm."""
    renames = []
    for path, child in _question_blocks(stream):
        label = _text(child.value.get("label"))
        given = _text(child.value.get("name"))
        before = published.get(child.id) if child.id else None
        if not given:
            child.value["name"] = before or clean_name("", label)
        elif before and clean_name(given, label) != before:
            renames.append(Rename(path=path, label=label, published=before, edited=clean_name(given, label)))
    return renames
