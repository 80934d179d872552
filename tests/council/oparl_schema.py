"""The OParl 1.1 object schemas as a strict client checks them.

Written from the specification's schema chapter (oparl/spec, ``schema/*.json``): for
every object type its required properties and, per property, the JSON type, the
string format (``url``, ``date``, ``date-time``) and for arrays the item type. The
schema files themselves are not copied here; this table restates what they require.
"""

import re

URL = re.compile(r"^https?://\S+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

S, U, D, DT, INT, B, OBJ = "string", "url", "date", "date-time", "integer", "boolean", "object"
AU, AS, AO = ("array", U), ("array", S), ("array", OBJ)
COMMON = {"id": U, "type": S, "license": S, "keyword": AS, "created": DT, "modified": DT}
COMMON |= {"web": U, "deleted": B}
URL_OR_OBJECT = ("url-or-object",)

SCHEMA = {
    "System": (
        ["id", "type", "oparlVersion", "body"],
        {"oparlVersion": S, "otherOparlVersions": AS, "body": URL_OR_OBJECT, "name": S}
        | {"contactEmail": S, "contactName": S, "website": U, "vendor": U, "product": U},
    ),
    "Body": (
        ["id", "type", "name", "organization", "person", "meeting", "paper", "legislativeTerm"],
        {"system": U, "shortName": S, "name": S, "website": U, "license": U}
        | {"licenseValidSince": DT, "oparlSince": DT, "ags": S, "rgs": S, "equivalent": AU}
        | {"contactEmail": S, "contactName": S, "legislativeTerm": AO, "classification": S}
        | {"location": OBJ, "mainOrganization": U}
        | {
            k: URL_OR_OBJECT
            for k in (
                "organization",
                "person",
                "meeting",
                "paper",
                "agendaItem",
                "consultation",
                "file",
                "locationList",
                "legislativeTermList",
                "membership",
            )
        },
    ),
    "LegislativeTerm": (
        ["id", "type"],
        {"body": U, "name": S, "startDate": D, "endDate": D},
    ),
    "Organization": (
        ["id", "type"],
        {"body": U, "name": S, "membership": AU, "meeting": URL_OR_OBJECT}
        | {"consultation": URL_OR_OBJECT, "shortName": S, "post": AS, "subOrganizationOf": U}
        | {"organizationType": S, "classification": S, "startDate": D, "endDate": D}
        | {"website": U, "location": OBJ, "externalBody": U, "memberCount": INT}
        | {"votingMemberCount": INT},
    ),
    "Person": (
        ["id", "type"],
        {"body": U, "name": S, "familyName": S, "givenName": S, "formOfAddress": S}
        | {"affix": S, "title": AS, "gender": S, "phone": AS, "email": AS, "location": U}
        | {"locationObject": OBJ, "status": AS, "membership": AO, "image": OBJ, "life": S}
        | {"lifeSource": S},
    ),
    "Membership": (
        ["id", "type"],
        {"person": U, "organization": U, "role": S, "votingRight": B, "startDate": D}
        | {"endDate": D, "onBehalfOf": U},
    ),
    "Meeting": (
        ["id", "type"],
        {"name": S, "meetingState": S, "cancelled": B, "start": DT, "end": DT}
        | {"location": OBJ, "organization": AU, "participant": AU, "invitation": OBJ}
        | {"resultsProtocol": OBJ, "verbatimProtocol": OBJ, "auxiliaryFile": AO, "agendaItem": AO},
    ),
    "AgendaItem": (
        ["id", "type", "order"],
        {"meeting": U, "number": S, "order": INT, "name": S, "public": B, "consultation": U}
        | {"result": S, "resolutionText": S, "resolutionFile": OBJ, "auxiliaryFile": AO}
        | {"start": DT, "end": DT},
    ),
    "Paper": (
        ["id", "type"],
        {"body": U, "name": S, "reference": S, "date": D, "paperType": S}
        | {"relatedPaper": AU, "superordinatedPaper": AU, "subordinatedPaper": AU}
        | {"mainFile": OBJ, "auxiliaryFile": AO, "location": AO, "originatorPerson": AU}
        | {"underDirectionOf": AU, "originatorOrganization": AU, "consultation": AO},
    ),
    "Consultation": (
        ["id", "type"],
        {"paper": U, "agendaItem": U, "meeting": U, "organization": AU, "authoritative": B}
        | {"role": S},
    ),
    "File": (
        ["id", "type", "accessUrl"],
        {"name": S, "fileName": S, "mimeType": S, "date": D, "size": INT, "sha1Checksum": S}
        | {"sha512Checksum": S, "text": S, "accessUrl": U, "downloadUrl": U}
        | {"externalServiceUrl": U, "masterFile": U, "derivativeFile": AU, "fileLicense": U}
        | {"meeting": AU, "agendaItem": AU, "person": U, "paper": AU},
    ),
    "Location": (
        ["id", "type"],
        {"description": S, "geojson": OBJ, "streetAddress": S, "room": S, "postalCode": S}
        | {"subLocality": S, "locality": S, "bodies": AU, "organizations": AU, "persons": AU}
        | {"meetings": AU, "papers": AU},
    ),
}
# Embedded objects may leave out the back-reference to the object they are in.
BACK_REFERENCES = {"body", "meeting", "paper", "person"}


def _check_value(value, spec, where: str, errors: list) -> None:
    if spec == URL_OR_OBJECT:
        if isinstance(value, dict):
            return
        spec = U
    if isinstance(spec, tuple):
        _, item_spec = spec
        if not isinstance(value, list):
            errors.append(f"{where}: array expected, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_value(item, item_spec, f"{where}[{index}]", errors)
        return
    checks = {
        S: lambda v: isinstance(v, str),
        U: lambda v: isinstance(v, str) and URL.match(v),
        D: lambda v: isinstance(v, str) and DATE.match(v),
        DT: lambda v: isinstance(v, str) and DATETIME.match(v),
        INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
        B: lambda v: isinstance(v, bool),
        OBJ: lambda v: isinstance(v, dict),
    }
    if not checks[spec](value):
        errors.append(f"{where}: {spec} expected, got {value!r}")
        return
    if spec == OBJ and "type" in value:
        errors.extend(violations(value, embedded=True, where=where))


def violations(obj: dict, *, embedded: bool = False, where: str = "") -> list[str]:
    """Every way ``obj`` breaks the OParl 1.1 schema of its type (empty: conforms)."""
    kind = str(obj.get("type", "")).removeprefix("https://schema.oparl.org/1.1/")
    where = where or kind
    if kind not in SCHEMA:
        return [f"{where}: unknown type {obj.get('type')!r}"]
    required, properties = SCHEMA[kind]
    properties = COMMON | properties
    errors = []
    if obj.get("deleted") is True:
        required = ["id", "type", "created", "modified"]
    for name in required:
        if name not in obj and not (embedded and name in BACK_REFERENCES):
            errors.append(f"{where}.{name}: required")
    for name, value in obj.items():
        if value is None:
            errors.append(f"{where}.{name}: null is not allowed")
        elif name in properties:
            _check_value(value, properties[name], f"{where}.{name}", errors)
    return errors
