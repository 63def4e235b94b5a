"""Edge cases 2 and 3 of source-payloads.md §6: subjects in encoded words, raw UTF-8 or
none at all, through the real transforms."""

from __future__ import annotations

import pytest

from email_edge_records import BASE, gmail, graph, run_gmail, run_graph


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?UTF-8?Q?Anfrage_Therapieplatz_=E2=80=93_Erstgespr=C3=A4ch?=", "Anfrage Therapieplatz – Erstgespräch"),
        ("=?UTF-8?B?QW5mcmFnZSBmw7xyIEZyYXUgRHIuIFdlYmVy?=", "Anfrage für Frau Dr. Weber"),
        ("=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße"),
        ("=?UTF-8?Q?Termin_f=C3=BC?= =?UTF-8?Q?r_Montag?=", "Termin für Montag"),  # split encoded word
        ("Rückfrage zur Überweisung", "Rückfrage zur Überweisung"),  # raw UTF-8 header
    ],
)
def test_edge_2_rfc2047_subjects_decode(raw: str, decoded: str) -> None:
    assert run_gmail(gmail({**BASE, "Subject": raw}))["subject"] == decoded


def test_edge_2_graph_strings_are_already_decoded_and_stay_unchanged() -> None:
    assert run_graph(graph(subject="Grüße – =?x?"))["subject"] == "Grüße – =?x?"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?iso-8859-1?Q?=80_und_=96?=", "€ und –"),  # windows-1252 bytes under a latin-1 label (WHATWG)
        ("=?us-ascii?Q?Gr=FC=DFe?=", "Grüße"),  # and under an ASCII label
        ("Rückfrage =?UTF-8?Q?zur_=C3=9Cberweisung?=", "Rückfrage zur Überweisung"),  # raw UTF-8 beside a word
        ("李雷 =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "李雷 Grüße"),
        ("=?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe?=", "Grüße"),  # a character split across two words
        ("=?utf-8*de?Q?Hallo?=", "Hallo"),  # RFC 2231 language tag
    ],
)
def test_edge_2_encoded_words_beside_raw_text_and_labels_read_as_whatwg_reads_them(raw: str, decoded: str) -> None:
    assert run_gmail(gmail({**BASE, "Subject": raw}))["subject"] == decoded


def test_edge_2_graph_subjects_are_not_decoded_a_second_time() -> None:
    assert run_graph(graph(subject="Re: =?utf-8?q?Hallo?=  x"))["subject"] == "Re: =?utf-8?q?Hallo?= x"


def test_edge_3_missing_subject_is_empty_string_everywhere() -> None:
    no_subject = {k: v for k, v in BASE.items() if k != "Subject"}
    assert run_gmail(gmail(no_subject))["subject"] == ""
    assert run_graph(graph(subject=None))["subject"] == ""
    assert run_graph(graph(subject=""))["subject"] == ""
