"""A real sample warehouse for the page tests: ``lorc run --pipeline daily`` over the sample
profile's fake sources, then the weekly report of the sample's week (so progress-report
PDFs exist), built once per session and copied for each test that writes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

from lorchestra.config import Config, load_config
from lorchestra.home import PhiHome

LORC = str(Path(sys.executable).with_name("lorc"))
SAMPLE_WEEK = "2026-W46"  # the sample story's week


def lorc_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LORC_")}
    return {**env, "LORC_HOME": str(root)}


def build_sample_home(root: Path) -> None:
    for args in (["init"], ["run", "--pipeline", "daily"], ["run", "generate_weekly_report", "--week", SAMPLE_WEEK]):
        done = subprocess.run([LORC, *args], env=lorc_env(root), capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"lorc {' '.join(args)}: {done.stdout}{done.stderr}"


def copy_home(source: Path, target: Path, *, locale: str = "de", clinicians: tuple[str, ...] = ()) -> Config:
    """A private copy of ``source`` with ``practice.locale`` and ``console.clinicians`` set."""
    shutil.copytree(source, target, symlinks=True)
    config_file = target / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    text, n_locale = re.subn(r"(?m)^  locale: \w+", f"  locale: {locale}", text)
    text, n_clinicians = re.subn(r"(?m)^  clinicians: \[\]", f"  clinicians: [{', '.join(clinicians)}]", text)
    assert (n_locale, n_clinicians) == (1, 1), "the sample config names practice.locale and console.clinicians"
    config_file.write_text(text, encoding="utf-8")
    return load_config(PhiHome(target), environ={})


def attribute_values(html: str, attribute: str, tag_class: str | None = None) -> list[str]:
    """The values of ``attribute`` in page order (on elements of ``tag_class`` if given)."""
    cls = rf'class="[^"]*\b{re.escape(tag_class)}\b[^"]*"[^>]*?' if tag_class else ""
    return [unescape(v) for v in re.findall(rf'<[a-z]+\b[^>]*?{cls}\b{re.escape(attribute)}="([^"]*)"', html)]


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{re.escape(section_id)}".*?</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)
