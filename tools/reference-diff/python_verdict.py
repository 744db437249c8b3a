#!/usr/bin/env python3
"""The Python reference implementation's verdict on templates.

    python_verdict.py FILE...

Prints one line per file: `accept<TAB>path` or `reject<TAB>path<TAB>first line
of the error`. Needs the `openjd-model` PyPI package (the harness's README says
which version the table was made with); every extension it knows is enabled,
as the Rust side of the harness does.
"""

import sys

from openjd.model import (
    DocumentType,
    decode_environment_template,
    decode_job_template,
    document_string_to_object,
)
from openjd.model.v2023_09 import ExtensionName


def verdict(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc_type = DocumentType.JSON if path.endswith(".json") else DocumentType.YAML
    extensions = [e.value for e in ExtensionName]
    try:
        obj = document_string_to_object(document=text, document_type=doc_type)
        if not isinstance(obj, dict):
            raise ValueError("not a mapping")
        version = str(obj.get("specificationVersion", ""))
        if version.startswith("environment"):
            decode_environment_template(template=obj, supported_extensions=extensions)
        else:
            decode_job_template(template=obj, supported_extensions=extensions)
    except Exception as e:  # every rejection, whatever its class
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        # Pydantic puts the count first and the reason on the following lines.
        detail = " | ".join(lines[:3])
        return f"reject\t{path}\t{detail[:300]}"
    return f"accept\t{path}"


def main() -> None:
    for path in sys.argv[1:]:
        print(verdict(path), flush=True)


if __name__ == "__main__":
    main()
