#!/usr/bin/env python3
"""Validates JSON against docs/events.schema.json (docs/events.md).

usage: validate_json.py SCHEMA DEF FILE...
DEF "-" checks each line of each FILE as an event of a --json-log; otherwise
each FILE is one document checked against $defs/DEF (plan_document, ...).
Exit 0 when all are valid, 1 (with the first error) when one is not, 77 when
python3-jsonschema is missing.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


def main():
    schema_path, definition, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    if definition != "-":
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/" + definition}
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in files:
        with open(path, encoding="utf-8") as f:
            items = [json.loads(line) for line in f] if definition == "-" else [json.load(f)]
        for n, item in enumerate(items, 1):
            error = jsonschema.exceptions.best_match(validator.iter_errors(item))
            if error is not None:
                print(f"{path}:{n}: {error.message} at {list(error.absolute_path)}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
