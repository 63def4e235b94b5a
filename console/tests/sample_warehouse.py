"""The sample home of the pages of the practice's day: the console's sample home (the weekly
pipeline over the sample profile's fake sources, and a failing job), plus the progress
reports of the sample's week; copied for each test, which may then write to it."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

from browser import SampleHome, clean_environ, lorc, make_sample_home
from lorchestra.config import Config, load_config
from lorchestra.home import PhiHome

SAMPLE_WEEK = "2026-W46"  # the sample story's week
FAILING = ("run", "example_synthetic_ingest", "--param", "fail=true")


def make_day_home(base: Path) -> SampleHome:
    """The console's sample home, then the progress reports of the sample's week (so a client
    has a PDF), then the failing job once more, so the last run on Today is a failed one."""
    home = make_sample_home(base)
    for args, wanted in ((("run", "generate_weekly_report", "--week", SAMPLE_WEEK), 0), (FAILING, 1)):
        done = lorc(home, *args)
        assert done.returncode == wanted, f"lorc {' '.join(args)}: {done.stdout}{done.stderr}"
    return home


def copy_home(source: SampleHome, base: Path, *, locale: str = "de", clinicians: tuple[str, ...] = ()) -> SampleHome:
    """A private copy of ``source`` in ``base`` with ``practice.locale`` and ``console.clinicians`` set."""
    target = base / "lorc-home"
    shutil.copytree(source.root, target, symlinks=True)
    (base / "user-home").mkdir(mode=0o700, exist_ok=True)
    config_file = target / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    text, n_locale = re.subn(r"(?m)^  locale: \w+", f"  locale: {locale}", text)
    text, n_clinicians = re.subn(r"(?m)^  clinicians: \[\]", f"  clinicians: [{', '.join(clinicians)}]", text)
    assert (n_locale, n_clinicians) == (1, 1), "the sample config names practice.locale and console.clinicians"
    config_file.write_text(text, encoding="utf-8")
    return SampleHome(target, clean_environ(target, base / "user-home"))


def config_of(home: SampleHome) -> Config:
    return load_config(PhiHome(home.root), environ={})


def attribute_values(html: str, attribute: str, tag_class: str | None = None) -> list[str]:
    """The values of ``attribute`` in page order (on elements of ``tag_class`` if given)."""
    cls = rf'class="[^"]*\b{re.escape(tag_class)}\b[^"]*"[^>]*?' if tag_class else ""
    return [unescape(v) for v in re.findall(rf'<[a-z]+\b[^>]*?{cls}\b{re.escape(attribute)}="([^"]*)"', html)]


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{re.escape(section_id)}".*?</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)
