"""Validates nexus-mde -o json/yaml documents against docs/schema/, chosen by each document's kind.
  validate_schema.py SCHEMA_DIR FILE...   (a FILE ending in .yaml is read as YAML)
Exit 0 when every document is valid; 1 with each error (file, JSON path, message) otherwise.
Uses Debian's python3-jsonschema and python3-yaml.
"""
import json
import os
import sys

import jsonschema
import yaml


def load_schemas(directory):
    store, by_kind = {}, {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        store[schema["$id"]] = schema
        kind = schema.get("properties", {}).get("kind", {}).get("const")
        if kind:
            by_kind[kind] = schema
    return store, by_kind


def main(directory, files):
    store, by_kind = load_schemas(directory)
    problems = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) if path.endswith(".yaml") else json.load(f)
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if doc.get("apiVersion") != "nexus-mde/v1" or kind not in by_kind:
            print("{}: apiVersion {!r}, kind {!r}: no schema".format(path, doc.get("apiVersion"), kind))
            problems += 1
            continue
        schema = by_kind[kind]
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver,
                                                    format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(doc):
            deepest = jsonschema.exceptions.best_match([error] + list(error.context)) if error.context else error
            print("{}: {}: {}".format(path, deepest.json_path, deepest.message[:300]))
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
