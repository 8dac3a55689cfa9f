"""The JSON Schema every instrument file must satisfy (structure only).

Cross-references (scales naming real items, conditions on earlier items) are checked in
`loader.py`, because JSON Schema cannot express them.
"""

TEXT = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "minLength": 1},
        },
    ]
}

ITEM_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,47}$"}

CONDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["item"],
    "properties": {
        "item": ITEM_ID,
        "equals": {"type": ["string", "integer", "boolean"]},
        "in": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}},
    },
    "oneOf": [{"required": ["equals"]}, {"required": ["in"]}],
}

OPTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "label"],
    "properties": {"id": ITEM_ID, "label": TEXT},
}

ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "type", "text"],
    "properties": {
        "id": ITEM_ID,
        "type": {"enum": ["likert", "yes_no", "single_choice", "multiple_choice", "text"]},
        "text": TEXT,
        "help": TEXT,
        "required": {"type": "boolean"},
        "show_if": CONDITION,
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "anchors": {
            "type": "object",
            "minProperties": 2,
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": TEXT,
        },
        "options": {"type": "array", "minItems": 1, "items": OPTION},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 5000},
        "risk": {"type": "boolean"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "likert"}}},
            "then": {"required": ["min", "max", "anchors"]},
        },
        {
            "if": {"properties": {"type": {"enum": ["single_choice", "multiple_choice"]}}},
            "then": {"required": ["options"]},
        },
    ],
}

NORMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sd", "reliability", "source"],
    "properties": {
        "sd": {"type": "number", "exclusiveMinimum": 0},
        "reliability": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "low_cutoff": {"type": "number"},
        "source": {"type": "string", "minLength": 1},
    },
}

#: How an outcome scale's total is read: severity bands, caseness and reliable change, each from
#: the instrument's published rules (named in `source`).
OUTCOME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["higher_is", "bands", "source"],
    "properties": {
        "higher_is": {"enum": ["worse", "better"]},
        "bands": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "label"],
                "properties": {"from": {"type": "number"}, "label": TEXT},
            },
        },
        "caseness": {"type": "number"},
        "reliable_change": {"type": "number", "exclusiveMinimum": 0},
        "source": {"type": "string", "minLength": 1},
    },
}

SCALE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items", "scoring"],
    "properties": {
        "label": TEXT,
        "items": {"type": "array", "minItems": 1, "uniqueItems": True, "items": ITEM_ID},
        "reverse": {"type": "array", "uniqueItems": True, "items": ITEM_ID},
        "scoring": {"enum": ["mean", "sum"]},
        "min_answered": {"type": "integer", "minimum": 1},
        "norms": NORMS,
        "outcome": OUTCOME,
    },
}

#: Each language after the first: a published, validated translation or the project's own.
TRANSLATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["validated", "source"],
    "properties": {"validated": {"type": "boolean"}, "source": {"type": "string", "minLength": 1}},
}

INSTRUMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "version", "title", "respondent", "languages", "items", "scales"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,63}$"},
        "version": {"type": ["string", "integer"]},
        "title": TEXT,
        "respondent": {"enum": ["patient", "therapist"]},
        "purpose": {"enum": ["alliance", "outcome"]},
        "languages": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
        "translations": {"type": "object", "additionalProperties": TRANSLATION},
        "status": {"type": "string"},
        "licence": {"type": "string"},
        "intro": TEXT,
        "privacy_notice": TEXT,
        "items": {"type": "array", "minItems": 1, "items": ITEM},
        "scales": {"type": "object", "additionalProperties": SCALE},
    },
}
