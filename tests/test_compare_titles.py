"""Titles: what folds away, and how a difference that remains is classified."""

from __future__ import annotations

import pytest

from enrich.compare.titles import compare_titles, fold_title, title_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Visual  Acoustic\n  Fields", "visual acoustic fields"),
        ("X$^2$-Net", "x2 net"),
        ("X²-Net", "x2 net"),
        ("$\\mathcal{X}$-Former", "x former"),
        ("\\emph{Attention} Is \\textbf{All} You {N}eed", "attention is all you need"),
        ("$\\alpha$-Blending and α-blending", "a blending and a blending"),
        ("Déjà Vu: Café", "deja vu cafe"),
        ("“Smart” quotes — and dashes – too", "smart quotes and dashes too"),
        ("R&amp;D <i>at</i> Scale", "r and d at scale"),
        ("Speed \\& Accuracy", "speed and accuracy"),
        ("O(n\\log n) Sorting", "o n n sorting"),
        ("ﬁne-tuning", "fine tuning"),
    ],
)
def test_fold_title(text: str, folded: str) -> None:
    assert fold_title(text) == folded


def test_spaces_do_not_count_for_equality() -> None:
    assert title_key("Pre-training at Scale") == title_key("Pretraining atScale")


@pytest.mark.parametrize(
    ("digest", "arxiv", "verdict"),
    [
        ("Visual Acoustic Fields", "VISUAL ACOUSTIC FIELDS", "equal"),
        ("Visual Acoustic Fields (CVPR 2025)", "Visual Acoustic Fields", "equal"),
        ("Visual Acoustic Fields [ECCV'24]", "Visual Acoustic Fields", "equal"),
        ("Visual Acoustic Fields (视觉声学场)", "Visual Acoustic Fields", "equal"),
        ("Visual Acoustic Fi…", "Visual Acoustic Fields", "abbreviated"),
        ("Visual Acoustic ...", "Visual Acoustic Fields", "abbreviated"),
        ("Visual Acoustic", "Visual Acoustic Fields", "prefix"),
        ("Visual Acoustic (视觉声学)", "Visual Acoustic Fields", "prefix"),
        ("视觉声学场", "Visual Acoustic Fields", "foreign"),
        ("SurGen：基于文本引导的扩散模型", "SurGen: Text-Guided Diffusion", "foreign"),
        ("D3N: Bring the Power of Diffusion Model to Defect Detection",
         "Bring the Power of Diffusion Model to Defect Detection", "labelled"),
        ("Visual Acoustic Fie", "Visual Acoustic Fields", "different"),  # cut mid-word, no ellipsis
        ("Acoustic Fields", "Visual Acoustic Fields", "different"),
        ("Visual Acoustic Fields for Robots", "Visual Acoustic Fields", "different"),
    ],
)  # fmt: skip
def test_compare_titles(digest: str, arxiv: str, verdict: str) -> None:
    assert compare_titles(digest, arxiv).verdict == verdict


def test_a_difference_carries_a_similarity_and_a_prefix_its_rest() -> None:
    got = compare_titles("Visual Acoustic Fields for Robots", "Visual Acoustic Fields")
    assert 70 < got.similarity < 100
    assert compare_titles("Visual Acoustic", "Visual Acoustic Fields").rest == "fields"
