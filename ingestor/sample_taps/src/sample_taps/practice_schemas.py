"""JSON Schemas of the Forms, Sheets and Dataverse sample streams.

As in the production taps' schemas (``lorc_taps``): the Singer SDK drops every property a schema does not declare, so
these declare every field the fixtures carry, and open-ended API objects allow
additional properties. Forms ``answers`` is a map keyed by opaque question ids, so it is
an open object whose content passes through unchanged.
"""

from __future__ import annotations

from typing import Any

# (Self-contained, so tests can load this file without the SDK.)
STRING: dict[str, Any] = {"type": ["string", "null"]}
INTEGER: dict[str, Any] = {"type": ["integer", "null"]}
BOOLEAN: dict[str, Any] = {"type": ["boolean", "null"]}
OPEN: dict[str, Any] = {"type": ["object", "null"], "properties": {}, "additionalProperties": True}


def _object(properties: dict[str, Any], *, nullable: bool = True) -> dict[str, Any]:
    return {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "additionalProperties": True,
    }


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": ["array", "null"], "items": items}


OPTIONS = _array(_object({"value": STRING, "isOther": BOOLEAN}, nullable=False))

# forms.get: a Form resource (the kinds of question and item the fixtures use are
# declared; the others, e.g. scaleQuestion or imageItem, pass through as open objects).
QUESTION = _object(
    {
        "questionId": STRING,
        "required": BOOLEAN,
        "choiceQuestion": _object({"type": STRING, "options": OPTIONS, "shuffle": BOOLEAN}),
        "textQuestion": _object({"paragraph": BOOLEAN}),
        "rowQuestion": _object({"title": STRING}),
    }
)
FORM_ITEM = _object(
    {
        "itemId": STRING,
        "title": STRING,
        "description": STRING,
        "questionItem": _object({"question": QUESTION}),
        "questionGroupItem": _object(
            {
                "questions": _array({**QUESTION, "type": "object"}),
                "grid": _object(
                    {"columns": _object({"type": STRING, "options": OPTIONS}), "shuffleQuestions": BOOLEAN}
                ),
            }
        ),
        "pageBreakItem": OPEN,
        "textItem": OPEN,
    },
    nullable=False,
)
FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "formId": {"type": "string"},
        "info": _object({"title": STRING, "documentTitle": STRING, "description": STRING}),
        "settings": _object({"emailCollectionType": STRING, "quizSettings": OPEN}),
        "revisionId": STRING,
        "responderUri": STRING,
        "linkedSheetId": STRING,
        "items": _array(FORM_ITEM),
    },
    "required": ["formId"],
}

# forms.responses.list: a FormResponse.
FORM_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "formId": STRING,
        "responseId": {"type": "string"},
        "createTime": {"type": ["string", "null"], "format": "date-time"},
        "lastSubmittedTime": {"type": ["string", "null"], "format": "date-time"},
        "respondentEmail": STRING,
        "answers": OPEN,
        "totalScore": {"type": ["number", "null"]},
    },
    "required": ["responseId"],
}


# Dataverse with annotations: what tap-dataverse's discovery builds for these columns.
FORMATTED = "@OData.Community.Display.V1.FormattedValue"
NAVIGATION = "@Microsoft.Dynamics.CRM.associatednavigationproperty"
LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname"
UUID = {"type": ["string", "null"], "format": "uuid"}
DATE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _lookup(name: str) -> dict[str, Any]:
    return {name: UUID, name + FORMATTED: STRING, name + NAVIGATION: STRING, name + LOGICAL_NAME: STRING}


def _formatted(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {name: schema, name + FORMATTED: STRING}


CONTACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "contactid": UUID,
        "firstname": STRING,
        "lastname": STRING,
        "fullname": STRING,
        "emailaddress1": STRING,
        "telephone1": STRING,
        "mobilephone": STRING,
        **_formatted("createdon", DATE_TIME),
        **_formatted("modifiedon", DATE_TIME),
        **_formatted("statecode", INTEGER),
        **_formatted("statuscode", INTEGER),
        **_lookup("_parentcustomerid_value"),
        **_lookup("_ownerid_value"),
        **_formatted("versionnumber", INTEGER),
    },
}
SESSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "cr7a2_sessionid": UUID,
        "cr7a2_name": STRING,
        **_formatted("cr7a2_sessiondate", DATE_TIME),
        **_formatted("cr7a2_sessiontype", INTEGER),
        **_formatted("cr7a2_durationminutes", INTEGER),
        **_lookup("_cr7a2_contact_value"),
        **_lookup("_ownerid_value"),
        **_formatted("statecode", INTEGER),
        **_formatted("statuscode", INTEGER),
        **_formatted("createdon", DATE_TIME),
        **_formatted("modifiedon", DATE_TIME),
        **_formatted("versionnumber", INTEGER),
    },
}
DATAVERSE_SCHEMAS = {"contact": CONTACT_SCHEMA, "cr7a2_session": SESSION_SCHEMA}
