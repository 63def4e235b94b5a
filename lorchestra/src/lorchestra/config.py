"""One YAML config file, validated against shared-schemas, overridden by the environment.

Precedence (highest first): environment variables ``LORC_<SECTION>__<KEY>`` (values
parsed as YAML scalars), then ``$LORC_HOME/config.yaml``. A key written twice in the
file is refused (YAML would silently keep the last one). Secrets never live in the
config: they come from the environment or ``$LORC_HOME/.env`` through :class:`Secrets`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lorchestra.dotenv import parse_dotenv
from lorchestra.exceptions import ConfigError, LorcError, PipelineNotFoundError
from lorchestra.home import PhiHome
from shared_schemas import load_schema

CONFIG_SCHEMA = "iglu:org.lorchestra/config/jsonschema/1-0-0"
ENV_PREFIX = "LORC_"

DEFAULT_CONFIG_YAML = """\
# lorchestra configuration ($LORC_HOME/config.yaml).
# Secrets never go here: put them in the environment or in $LORC_HOME/.env.
# Any key can be overridden from the environment, e.g. LORC_STORAGE__BACKEND=bigquery.
profile: sample            # sample: the production taps against fake APIs on loopback; production: real sources (README)
storage:
  backend: duckdb          # duckdb (embedded, default) or bigquery
  duckdb:
    path: warehouse.duckdb # relative to LORC_HOME
    memory_limit: 512MB
  # bigquery:              # docs/bigquery.md: the dataset, its two roles, credentials
  #   project: my-gcp-project
  #   dataset: lorchestra    # made once by `lorc init --create-dataset` (or in the console); runs never create it
  #   location: EU           # required: where the patient data lives (EU, europe-west3 ...); BigQuery's default is the US
practice:
  name: Praxis Dr. Weber
  addresses:               # the practice's own addresses: mail from these is outbound
    - praxis@praxis-weber.example
    - anmeldung@praxis-weber.example
    - termine@praxis-weber.example
    - j.weber@praxis-weber.example
    - m.klein@praxis-weber.example
    - team@praxis-weber.example
  locale: de               # de or en: the language of the console's pages (lorc serve); reports stay German
console:                   # lorc serve: the practice console on loopback
  session_hours: 8         # a browser's sign-in lasts this long; then restart lorc serve for a new URL
  clinicians: []           # who marks item-9 flags followed up, e.g. [J. Weber, M. Klein]; empty: the OS user
connections:
  email:                   # one connection per mailbox; the name is its connection_name
    - {name: gmail-praxis, system: gmail, mailbox: praxis@praxis-weber.example}
    - {name: gmail-anmeldung, system: gmail, mailbox: anmeldung@praxis-weber.example}
    - {name: gmail-termine, system: gmail, mailbox: termine@praxis-weber.example}
    - {name: exchange-weber, system: exchange, mailbox: j.weber@praxis-weber.example}
    - {name: exchange-klein, system: exchange, mailbox: m.klein@praxis-weber.example}
    - {name: exchange-team, system: exchange, mailbox: team@praxis-weber.example}
  forms:                   # questionnaires, one connection per form; answers bind to items by question title
    - {name: google-forms-intake-01, system: google_forms, form_id: 15mqM0JpWRqw462xOwsU3Pa2tE0B41jGlJs7KlhGsnfb}
    - {name: google-forms-followup, system: google_forms, form_id: 1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956}
    # the follow-up form's linked response sheet: a response read through both is one response
    - {name: sheet-followup, system: google_sheets, spreadsheet_id: 14YotILuQRbJXJpFDQdN6qyIAEXyJGZCy4DfANUnaqiR,
       sheet: Formularantworten 1, form_id: 1gKgJF8UxBJUC4S1qcBjDHMwV9bQfk642hzMMwOzU956}
  crm:                     # client identity (contacts, sessions); the session table is <prefix>session,
    - {name: dataverse, system: dataverse, environment_url: "https://praxis-weber.crm4.dynamics.com",
       publisher_prefix: cr7a2_}   # its entity set <table>s: else set session_table, session_entity_set
reports:
  delivery: outbox         # outbox: .eml files in $LORC_HOME/outbox; smtp: send (needs reports.smtp)
  from: reports@praxis-weber.example
  recipients: [j.weber@praxis-weber.example]
  allowlist: [j.weber@praxis-weber.example, m.klein@praxis-weber.example]
  # smtp: {host: smtp.example.org, port: 587, security: starttls}   # LORC_SMTP_USERNAME / LORC_SMTP_PASSWORD in .env
  safety_alerts:           # an e-mail as soon as a positive PHQ-9 item 9 is scored (besides the weekly list)
    enabled: false
    # recipients: [j.weber@praxis-weber.example]   # default: reports.recipients; must be on the allowlist
backup:
  enabled: false           # true: every raw and canonical write also goes to $LORC_HOME/backup/ (lorc replay)
pipelines:                 # lorc run --pipeline NAME
  daily:
    stop_on_failure: false   # one failing source must not stop the rest of the day's work
    jobs: [extract_contacts, canonicalize_contacts, extract_email, canonicalize_email, build_inbox_view,
           extract_forms, canonicalize_questionnaires, score_phq9, score_gad7, build_measurement_timeseries,
           build_reporting_snapshots, send_safety_alerts]
  weekly:
    include: [daily]
    stop_on_failure: true    # no report from a half-updated warehouse
    jobs: [generate_weekly_report]
logging:
  level: INFO
"""


@dataclass(frozen=True)
class Secrets:
    """Credentials from the environment or ``.env``; never printed, never in config."""

    _values: Mapping[str, str] = field(repr=False)

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def __repr__(self) -> str:
        return f"Secrets(<{len(self._values)} names hidden>)"


@dataclass(frozen=True)
class Config:
    home: PhiHome
    data: Mapping[str, Any]
    secrets: Secrets = field(repr=False)

    @property
    def profile(self) -> str:
        return str(self.data["profile"])

    @property
    def backend(self) -> str:
        return str(self.data["storage"]["backend"])

    def section(self, *path: str) -> Mapping[str, Any]:
        node: Any = self.data
        for key in path:
            node = node.get(key) or {} if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}

    @property
    def duckdb_path(self) -> Path:
        raw = Path(self.section("storage", "duckdb").get("path", "warehouse.duckdb"))
        return raw if raw.is_absolute() else self.home.root / raw

    def connections(self, kind: str) -> list[Mapping[str, Any]]:
        """The configured connections of one kind (``email`` ...), in config order."""
        found = self.section("connections").get(kind) or []
        return [c for c in found if isinstance(c, Mapping)]

    def require_connection(self, name: str) -> None:
        """Raise ConfigError unless some connection (of any kind) is called ``name``."""
        names = [str(c.get("name")) for kind in self.section("connections") for c in self.connections(kind)]
        if name not in names:
            raise ConfigError(
                f"no connection named {name!r} in {self.home.config_path} (configured: {', '.join(names) or 'none'})"
            )

    def pipeline(self, name: str) -> tuple[list[str], bool]:
        """A pipeline's jobs (included pipelines first) and whether it stops on failure."""
        # A config written before pipelines existed gets the default ones.
        pipelines = self.section("pipelines") or yaml.safe_load(DEFAULT_CONFIG_YAML)["pipelines"]
        if name not in pipelines:
            import difflib

            close = difflib.get_close_matches(name, list(pipelines), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise PipelineNotFoundError(
                f"no pipeline {name!r} in config{hint} (defined: {', '.join(pipelines) or 'none'})"
            )
        jobs: list[str] = []
        seen: set[str] = set()

        def expand(current: str) -> None:
            if current in seen:
                raise ConfigError(f"pipelines.{current} includes itself (directly or through another pipeline)")
            seen.add(current)
            spec = pipelines.get(current)
            if spec is None:
                raise ConfigError(f"pipelines.{name} includes unknown pipeline {current!r}")
            for included in spec.get("include") or []:
                expand(str(included))
            jobs.extend(str(j) for j in spec.get("jobs") or [])

        expand(name)
        return jobs, bool(pipelines[name].get("stop_on_failure", True))

    @property
    def practice_addresses(self) -> list[str]:
        return [str(a).strip().lower() for a in self.section("practice").get("addresses") or []]

    @property
    def batch_rows(self) -> int:
        return int(self.section("storage").get("batch_rows", 50_000))


def load_config(home: PhiHome, environ: Mapping[str, str] | None = None) -> Config:
    """Read, override from ``environ`` and validate; raise ConfigError naming the key path,
    and the environment variable when the bad value came from one."""
    environ = os.environ if environ is None else environ
    home.require()
    path = home.config_path
    if not path.is_file():
        raise ConfigError(f"{path} is missing; run `lorc init` to write the default config")
    data = _read_yaml(path)
    merged = apply_env_overrides(data, environ)
    validate_config(merged, source=str(path), file_data=data, overrides=env_overrides(environ))
    return Config(home=home, data=merged, secrets=read_secrets(home, environ))


def configured_log_level(home: PhiHome, environ: Mapping[str, str] | None = None) -> str | None:
    """``logging.level`` of the config, or None while there is no readable, valid config
    (the command that needs one then says what is wrong)."""
    if not home.config_path.is_file():
        return None
    try:
        return load_config(home, environ).section("logging").get("level")
    except (LorcError, OSError):
        return None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        _refuse_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), (), path)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path} is not valid YAML{where}; fix the syntax there") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of keys (profile, storage, ...)")
    return data


def _refuse_duplicate_keys(node: yaml.Node | None, where: tuple[str, ...], path: Path) -> None:
    """YAML lets a later key silently replace an earlier one; in a config that hides an edit."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                _refuse_duplicate_keys(value, where, path)
                continue
            line = key.start_mark.line + 1
            if key.value in seen:
                raise ConfigError(
                    f"{path} line {line}: key {'.'.join((*where, key.value))} appears twice "
                    f"(first at line {seen[key.value]}); keep one of them"
                )
            seen[key.value] = line
            _refuse_duplicate_keys(value, (*where, key.value), path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_duplicate_keys(item, (*where, str(index)), path)


def env_overrides(environ: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """Key path -> name of each ``LORC_SECTION__KEY`` variable whose first segment is a config key."""
    top_level = set(load_schema(CONFIG_SCHEMA)["properties"])
    found: dict[tuple[str, ...], str] = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        path = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        if path[0] in top_level:
            found[path] = name
    return found


def apply_env_overrides(data: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Overlay ``LORC_SECTION__KEY=value`` variables whose first segment is a config key."""
    merged = copy.deepcopy(dict(data))
    for path, name in env_overrides(environ).items():
        try:
            value = yaml.safe_load(environ[name])
        except yaml.YAMLError:
            raise ConfigError(f"environment variable {name} is not a valid YAML value") from None
        node = merged
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[path[-1]] = value
    return merged


def validate_config(
    data: Mapping[str, Any],
    *,
    source: str = "config",
    file_data: Mapping[str, Any] | None = None,
    overrides: Mapping[tuple[str, ...], str] | None = None,
) -> None:
    """Raise ConfigError for the first error, naming the variable of ``overrides`` (key path ->
    variable) that put the bad value there, else ``source``."""
    schema = {k: v for k, v in load_schema(CONFIG_SCHEMA).items() if k not in ("self", "$schema")}
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), e.path))
    if not errors:
        return
    error = errors[0]
    key_path = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    variable = _variable_to_blame(error, file_data if file_data is not None else data, overrides or {})
    where = f"environment variable {variable}" if variable else source
    raise ConfigError(f"{where}: {key_path}: {_explain(error)}")


def _variable_to_blame(
    error: jsonschema.ValidationError, file_data: Mapping[str, Any], overrides: Mapping[tuple[str, ...], str]
) -> str | None:
    at = tuple(str(p) for p in error.absolute_path)
    for path, name in sorted(overrides.items(), key=lambda item: -len(item[0])):
        if at[: len(path)] == path:
            return name  # the bad value is what the variable set, or inside it
    below = {path: name for path, name in overrides.items() if path[: len(at)] == at}
    if not below:
        return None
    if not isinstance(_value_at(file_data, at), Mapping):
        return next(iter(below.values()))  # the file has no mapping here: the variables built it
    if error.validator == "additionalProperties":
        unexpected = set(error.instance if isinstance(error.instance, Mapping) else ()) - _allowed_keys(error)
        return next((name for path, name in below.items() if len(path) == len(at) + 1 and path[-1] in unexpected), None)
    return None


def _allowed_keys(error: jsonschema.ValidationError) -> set[str]:
    schema = error.schema
    return set(schema.get("properties", {})) if isinstance(schema, Mapping) else set()


def _value_at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if isinstance(data, Mapping):
            data = data.get(key)
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


def _explain(error: jsonschema.ValidationError) -> str:
    """What is wrong, without the value: a mistyped recipient's address, or a secret
    pasted into the wrong key, must not reach the console or cron mail. Keys are named."""
    rule, wanted = error.validator, error.validator_value
    if rule == "additionalProperties":
        allowed = ", ".join(sorted(_allowed_keys(error)))
        return f"{error.message}; allowed keys here: {allowed}"
    if rule == "required":
        return error.message
    if rule == "enum" and isinstance(wanted, list):
        return f"must be one of {', '.join(map(str, wanted))}"
    if rule == "type":
        return f"must be of type {' or '.join(wanted) if isinstance(wanted, list) else wanted}"
    if rule == "pattern":
        return f"does not have the expected form (pattern {wanted})"
    return f"violates {rule} {wanted!r}"


def read_secrets(home: PhiHome, environ: Mapping[str, str]) -> Secrets:
    values = dict(parse_dotenv(home.dotenv_path)) if home.dotenv_path.is_file() else {}
    values.update(environ)
    return Secrets(values)
